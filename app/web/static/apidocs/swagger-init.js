// vetcred's own: starts Swagger UI on /openapi.json (a file, not an inline script, so the page's CSP allows no inline
// script). validatorUrl null: Swagger UI would otherwise fetch a badge from an external validator.
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
  });
});
