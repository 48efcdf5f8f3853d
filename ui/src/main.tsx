import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { QueryClientProvider } from "@tanstack/react-query";
import { App } from "./App";
import { newQueryClient } from "./query";
import { startEarly } from "./early";
import { markOnce, PERF } from "./perf";
import "./styles.css";

markOnce(PERF.scriptRun);
const queryClient = newQueryClient();
startEarly(queryClient);

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <App />
    </QueryClientProvider>
  </StrictMode>,
);
