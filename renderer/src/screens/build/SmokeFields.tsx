import { useApp } from '../../store';

/** What each built image is checked with, so a prune rule that breaks an import shows up at once. */
export function SmokeFields() {
  const modules = useApp((s) => s.smokeModules);
  const command = useApp((s) => s.smokeCommand);
  const setSmoke = useApp((s) => s.setSmoke);
  return (
    <fieldset className="row grow">
      <legend>Smoke test of each image</legend>
      <label className="grow">
        Modules to import
        <input
          value={modules}
          placeholder="empty: the top-level modules of the locked packages"
          onChange={(e) => setSmoke({ smokeModules: e.target.value })}
        />
      </label>
      <label className="grow">
        Check command (JSON list)
        <input
          value={command}
          placeholder='["/env/bin/python", "-m", "myapp", "--help"]'
          onChange={(e) => setSmoke({ smokeCommand: e.target.value })}
        />
      </label>
    </fieldset>
  );
}
