import { formatSizeColumn } from '../../../../../shared/format/size';
import type { RecipePlatform } from '../../../../../shared/recipe/model';
import type { TraceReport } from '../../../../../shared/trace/model';
import { traceSelectors } from '../../../store/trace-view';

/** The treemap's numbers as a table: every folder with used and shipped bytes and the rules. */
export function TraceTable({
  report,
  platform,
}: {
  report: TraceReport;
  platform: RecipePlatform;
}) {
  const rows = report.packages.flatMap((p) => p.folders.map((f) => ({ pkg: p.name, folder: f })));
  const used = formatSizeColumn(rows.map((r) => r.folder.usedBytes));
  const shipped = formatSizeColumn(rows.map((r) => r.folder.shippedBytes));
  return (
    <table aria-label="Used and shipped by package and folder">
      <thead>
        <tr>
          <th scope="col">Package</th>
          <th scope="col">Folder</th>
          <th scope="col" className="num">
            Used
          </th>
          <th scope="col" className="num">
            Shipped
          </th>
          <th scope="col">Rules that would remove the unused part</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r, i) => (
          <tr key={`${r.pkg}/${r.folder.path}`}>
            <th scope="row">{r.pkg}</th>
            <td className="wrap-cell">
              <code>{r.folder.path}</code>
            </td>
            <td className="num">{used[i]}</td>
            <td className="num">{shipped[i]}</td>
            <td className="wrap-cell">
              {traceSelectors
                .ruleShares(r.folder.unusedRemovedBy, platform)
                .map((s) => s.title)
                .join(', ')}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
