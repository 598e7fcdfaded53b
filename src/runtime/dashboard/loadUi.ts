/**
 * The dashboard's view (ink and React): loaded only when a dashboard opens in
 * a terminal. The runtime does not import it (src/ui/ sits beside the
 * runtime, not below it): the command line hands it over, as an importer.
 *
 * The command line bundle (dist/ofp.cjs) runs from V8's code cache, and on
 * Node.js 20 code taken from that cache cannot `import()`: bin/run.js, an
 * ordinary module, hands the bundle a way to import the view (dist/ui.mjs).
 */
import type { DashboardUi } from '../../view/model.js';

let importUi: (() => Promise<DashboardUi>) | undefined;

export function setUiImporter(f: () => Promise<DashboardUi>): void {
  importUi = f;
}

export function loadUi(): Promise<DashboardUi> {
  if (importUi === undefined) return Promise.reject(new Error('no dashboard view: the command line sets its importer (setUiImporter)'));
  return importUi();
}
