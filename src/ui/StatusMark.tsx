/** The marks the default views draw; each state picks one. */
export type StatusMarkKind = 'check' | 'cross' | 'clock' | 'warning';

// One 24-unit grid, drawn with currentColor so the stylesheet's state colours apply (no icon dependency).
const glyphs: Record<StatusMarkKind, string> = {
  check: 'M7.5 12.5l3 3 6-7',
  cross: 'M8.5 8.5l7 7m0-7l-7 7',
  clock: 'M12 7.5V12l3 2',
  warning: 'M12 7v6m0 3.5v.01',
};

/** Props of `StatusMark`. */
export interface StatusMarkProps {
  kind: StatusMarkKind;
  /** `small` for list items such as methodology steps. */
  size?: 'large' | 'small';
}

/** An inline SVG status mark (check, cross, clock, warning); decorative: the text beside it says the same. */
export function StatusMark({ kind, size = 'large' }: StatusMarkProps) {
  return (
    <svg className="relay-kit__mark" data-kind={kind} data-size={size} viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <circle cx="12" cy="12" r="11" fill="currentColor" fillOpacity="0.14" />
      <path d={glyphs[kind]} fill="none" stroke="currentColor" strokeWidth="2.25" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}
