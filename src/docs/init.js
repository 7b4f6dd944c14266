// Swagger UI for the contract this instance serves (its `servers` entry is this instance),
// so "Try it out" talks to the same server. Authorize with a token from POST /auth/login.
window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  // The default validator badge sends the spec's URL to validator.swagger.io: nothing leaves this instance.
  validatorUrl: null,
  dom_id: '#swagger-ui',
  deepLinking: true,
  persistAuthorization: true,
  tryItOutEnabled: true,
  displayRequestDuration: true,
  filter: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  plugins: [SwaggerUIBundle.plugins.DownloadUrl],
  layout: 'StandaloneLayout',
});
