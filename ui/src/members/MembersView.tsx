import { usePane } from "../context";

// Placeholder: being built.
export function MembersView() {
  const { ws } = usePane();
  return <p className="empty">Members of {ws.name}.</p>;
}
