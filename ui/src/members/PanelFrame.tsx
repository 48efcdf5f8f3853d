// The side panel a member's or an invitation's details open in: labelled, closable with its ×
// or with Escape.

export function PanelFrame(props: { label: string; onClose: () => void; children: React.ReactNode }) {
  return (
    <aside
      className="members-panel"
      aria-label={props.label}
      onKeyDown={(e) => {
        // Escape closes the panel, unless a dialog or a field inside handled it first.
        if (e.key === "Escape" && !e.defaultPrevented) props.onClose();
      }}
    >
      <button type="button" className="close" onClick={props.onClose} aria-label="Close member details">×</button>
      {props.children}
    </aside>
  );
}
