import { useApp } from '../store';

/** environment.yml's `variables:`, which the image sets as ENV (read-only here: edit the file). */
export function EnvironmentVariables() {
  const variables = useApp((s) => s.environment?.variables);
  const names = Object.keys(variables ?? {}).sort();
  if (names.length === 0) return null;
  return (
    <div className="card stack" aria-labelledby="env-variables-title">
      <h3 id="env-variables-title">Variables from environment.yml</h3>
      <p>Set as ENV in the image, as conda sets them in the environment.</p>
      <dl className="env-variables">
        {names.map((name) => (
          <div key={name}>
            <dt>{name}</dt>
            <dd>{variables?.[name]}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}
