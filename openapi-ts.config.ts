import { defineConfig } from '@hey-api/openapi-ts';

// openapi.yaml → generated/: types, a fetch-based SDK, and the client it runs on.
// Pinned exactly (package.json), as hey-api advises: a new release is a regenerate-and-review step.
export default defineConfig({
  input: './openapi.yaml',
  output: {
    path: './generated',
  },
  plugins: ['@hey-api/client-fetch', '@hey-api/typescript', '@hey-api/sdk'],
});
