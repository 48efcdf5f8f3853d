import { usePane } from "../context";

// Placeholder: being built.
export function Overview() {
  const { ws } = usePane();
  return <p className="empty">Overview of {ws.name}.</p>;
}
