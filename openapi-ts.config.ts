import { defineConfig } from '@hey-api/openapi-ts';

// openapi.yaml → generated/: types, a fetch-based SDK, and the client it runs on.
// Pinned to 0.95.0: later releases need Node ≥ 22.13 (see ../shared/STYLE.md).
export default defineConfig({
  input: './openapi.yaml',
  output: {
    path: './generated',
  },
  plugins: ['@hey-api/client-fetch', '@hey-api/typescript', '@hey-api/sdk'],
});
