import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// Static files for Tauri to bundle; no dev server is needed by `make run`.
export default defineConfig({
  plugins: [react()],
  clearScreen: false,
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", sourcemap: false },
  test: { environment: "node", setupFiles: ["src/test/setup.ts"] },
});
