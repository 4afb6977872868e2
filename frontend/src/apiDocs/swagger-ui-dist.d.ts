declare module "swagger-ui-dist/swagger-ui-es-bundle.js" {
  interface SwaggerUIOptions {
    url: string;
    dom_id: string;
    deepLinking?: boolean;
    validatorUrl?: string | null;
  }
  export default function SwaggerUI(options: SwaggerUIOptions): unknown;
}
