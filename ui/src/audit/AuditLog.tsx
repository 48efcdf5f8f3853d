import { usePane } from "../context";

// Placeholder: being built.
export function AuditLog() {
  const { ws } = usePane();
  return <p className="empty">Audit log of {ws.name}.</p>;
}
