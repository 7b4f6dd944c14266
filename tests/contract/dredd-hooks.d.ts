// The `hooks` module dredd injects into a Node.js hook file (dredd 14, `--language nodejs`).
// Only what tests/contract/hooks.ts uses. A hook with two parameters is asynchronous: dredd waits
// for its callback (it does not await promises).

declare module 'hooks' {
  namespace hooks {
    interface Transaction {
      name: string;
      id: string;
      origin: { filename: string; apiName: string; resourceName: string; actionName: string; exampleName: string };
      request: { method: string; uri: string; headers: Record<string, string>; body: string };
      /** The path and query dredd actually requests (request.uri is informative only). */
      fullPath: string;
      expected: { statusCode: string; headers: Record<string, string>; body?: string; bodySchema?: unknown };
      real?: { statusCode: number; headers: Record<string, string>; body: string };
      skip: boolean;
      fail?: string | boolean;
    }
    type Done = () => void;
    type Hook = ((transaction: Transaction) => void) | ((transaction: Transaction, done: Done) => void);
    type AllHook = ((transactions: Transaction[]) => void) | ((transactions: Transaction[], done: Done) => void);
    interface Hooks {
      configuration: { endpoint?: string; [key: string]: unknown };
      before(name: string, hook: Hook): void;
      after(name: string, hook: Hook): void;
      beforeValidation(name: string, hook: Hook): void;
      beforeEach(hook: Hook): void;
      beforeEachValidation(hook: Hook): void;
      afterEach(hook: Hook): void;
      beforeAll(hook: AllHook): void;
      afterAll(hook: AllHook): void;
      log(message: string): void;
    }
  }
  const hooks: hooks.Hooks;
  export = hooks;
}
