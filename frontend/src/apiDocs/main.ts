// The interactive API reference the gateway serves at /api/docs: Swagger UI, bundled here rather
// than loaded from a CDN (the Content-Security-Policy allows only this origin's scripts), as an
// entry of its own so the web app's first page never loads it.
import SwaggerUI from "swagger-ui-dist/swagger-ui-es-bundle.js";
import "swagger-ui-dist/swagger-ui.css";

SwaggerUI({
  url: "/api/v1/openapi.json",
  dom_id: "#api-docs",
  deepLinking: true,
  // The public validator badge would send the document to a third party.
  validatorUrl: null,
});
