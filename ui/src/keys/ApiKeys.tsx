import { usePane } from "../context";

// Placeholder: being built.
export function ApiKeys() {
  const { ws } = usePane();
  return <p className="empty">API keys of {ws.name}.</p>;
}
