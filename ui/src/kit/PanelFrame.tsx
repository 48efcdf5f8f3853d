// The side panel a member's, an invitation's or a community's details open in: labelled, closable with its ×
// or with Escape.

export function PanelFrame(props: { label: string; onClose: () => void; children: React.ReactNode; closeLabel?: string }) {
  return (
    <aside
      className="side-panel"
      aria-label={props.label}
      onKeyDown={(e) => {
        // Escape closes the panel, unless a dialog or a field inside handled it first.
        if (e.key === "Escape" && !e.defaultPrevented) props.onClose();
      }}
    >
      <button type="button" className="close" onClick={props.onClose} aria-label={props.closeLabel ?? "Close member details"}>×</button>
      {props.children}
    </aside>
  );
}
