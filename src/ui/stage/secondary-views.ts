/**
 * The secondary panel's views: the inspector, the detail tabs, state tables, transfers, the
 * capture download and the transcript. Visualizer.svelte imports this module with `import()`, so
 * they are one chunk fetched just after the first screen rather than part of it (issue 12:
 * first-load JS at most 100 kB gzipped); the stage itself (network, ladder, player) stays in it.
 */
export { default as DetailTabs } from './DetailTabs.svelte';
export { default as Inspector } from './Inspector.svelte';
export { default as StateTables } from './StateTables.svelte';
export { default as Transfers } from './Transfers.svelte';
export { default as CaptureDownload } from './CaptureDownload.svelte';
export { formatTranscript } from '../../export/transcript';
