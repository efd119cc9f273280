/**
 * The import graph's rules, checked by `npm run lint` (dependency-cruiser). ARCHITECTURE.md
 * explains the tiers. Type-only imports count too: a cycle of types is still a knot in the design.
 */
const LEAVES = '^src/core/((errors|paths|atomicWrite|cacheKey|folders|pythonScripts)\\.ts|process/|requirements/(parser|pep508|pep440|read|options)\\.ts|venv/(pyvenvCfg|layout)\\.ts)';
const ORCHESTRATIONS = '^src/core/(venv/create|pip/sync|pip/freeze)\\.ts';

module.exports = {
  forbidden: [
    { name: 'core-stays-below', severity: 'error', comment: 'The engine is used by the CLI, the server and the extension, never the other way round.', from: { path: '^src/core/' }, to: { path: '^src/(extension|server|cli)' } },
    { name: 'leaves-import-leaves', severity: 'error', comment: 'A leaf (layout, parsers, process, errors) depends on nothing above it.', from: { path: LEAVES }, to: { path: '^src/core/', pathNot: LEAVES } },
    { name: 'parts-below-orchestrations', severity: 'error', comment: 'Parts (discovery, seed, pip invocation, the installed set) are used by orchestrations, never the reverse.', from: { path: '^src/core/', pathNot: ORCHESTRATIONS }, to: { path: ORCHESTRATIONS } },
    { name: 'no-cycles', severity: 'error', comment: 'A cycle makes the tiers meaningless: split the shared piece out into a lower tier.', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(dist|out|node_modules)/' },
  },
};
