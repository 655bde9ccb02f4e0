/**
 * The diagonal hatching that marks bytes a rule removes or a check never used, in the treemaps and the
 * limit chart: a pattern, not a colour alone, so it reads without colour vision and in dark mode.
 */
export function HatchPattern({
  id,
  backgroundClass,
  lineClass,
}: {
  id: string;
  backgroundClass: string;
  lineClass: string;
}) {
  return (
    <defs>
      <pattern
        id={id}
        width="6"
        height="6"
        patternUnits="userSpaceOnUse"
        patternTransform="rotate(45)"
      >
        <rect width="6" height="6" className={backgroundClass} />
        <line x1="0" y1="0" x2="0" y2="6" className={lineClass} />
      </pattern>
    </defs>
  );
}
