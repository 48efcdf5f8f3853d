import { usePane } from "../context";

// Placeholder: being built.
export function ExportButtons() {
  const { ws } = usePane();
  return <p className="empty">Export of {ws.name}.</p>;
}
