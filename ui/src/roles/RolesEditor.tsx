import { usePane } from "../context";

// Placeholder: being built.
export function RolesEditor() {
  const { ws } = usePane();
  return <p className="empty">Roles of {ws.name}.</p>;
}
