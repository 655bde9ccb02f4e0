import { EmptyState, ErrorNote } from '../../components/Notice';
import { useApp } from '../../store';
import { environmentSelectors } from '../../store/selectors';
import { ChannelList } from './ChannelList';
import { DependencyTable } from './DependencyTable';
import { EnvironmentWarnings } from './EnvironmentWarnings';
import { PackageSearch } from './PackageSearch';
import { PipRequirements } from './PipRequirements';
import { PythonForm } from './PythonForm';

/** Packages (search, add, remove, pin), python version, pip requirements, channel order. */
export function EnvironmentScreen() {
  const environment = useApp((s) => s.environment);
  const error = useApp((s) => s.environmentError);
  const setPython = useApp((s) => s.setPython);
  const python = environmentSelectors.python({ environment });

  if (!environment) {
    return (
      <section className="screen" aria-labelledby="env-title">
        <h2 id="env-title">Environment</h2>
        <ErrorNote message={error} />
        <EmptyState title="No environment loaded">
          <p>Open or create a project on the Projects screen.</p>
        </EmptyState>
      </section>
    );
  }

  return (
    <section className="screen" aria-labelledby="env-title">
      <h2 id="env-title">Environment{environment.name ? `: ${environment.name}` : ''}</h2>
      <ErrorNote message={error} />
      <EnvironmentWarnings warnings={environment.warnings} />
      <div className="columns">
        <PackageSearch />
        <div className="stack">
          <div className="card stack">
            <h3>Python</h3>
            <PythonForm key={python} current={python} onSet={setPython} />
          </div>
          <DependencyTable />
          <PipRequirements />
          <div className="card stack">
            <ChannelList channels={environment.channels} />
          </div>
        </div>
      </div>
    </section>
  );
}
