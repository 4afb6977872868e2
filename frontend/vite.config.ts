/// <reference types="vitest/config" />
import tailwindcss from "@tailwindcss/vite";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [react(), tailwindcss()],
  server: {
    // During `npm run dev`, the API is the gateway of a running `make run`.
    proxy: { "/api": "http://127.0.0.1:8080" },
  },
  // Source maps would hand every visitor the full sources; production serves none.
  build: {
    outDir: "dist",
    sourcemap: false,
    // The API reference (/api/docs) is a page of its own, so the app's first page never loads it.
    rollupOptions: { input: { index: "index.html", apiDocs: "api-docs/index.html" } },
  },
  test: {
    environment: "jsdom",
    setupFiles: ["src/test-setup.ts"],
    css: false,
    // Beside asyncUtilTimeout (test-setup.ts): a whole test may wait on several conditions.
    testTimeout: 120_000,
  },
});
