/**
 * The import graph's rules, checked by `npm run lint` (dependency-cruiser). ARCHITECTURE.md
 * explains the tiers, whose folders are src/core/leaves, src/core/parts and
 * src/core/orchestrations. Type-only imports count too: a cycle of types is still a knot in the
 * design.
 */
const LEAVES = '^src/core/leaves/';
const ORCHESTRATIONS = '^src/core/orchestrations/';

module.exports = {
  forbidden: [
    { name: 'core-stays-below', severity: 'error', comment: 'The engine is used by the CLI, the server and the extension, never the other way round.', from: { path: '^src/core/' }, to: { path: '^src/(extension|server|cli)' } },
    { name: 'leaves-import-leaves', severity: 'error', comment: 'A leaf (layout, parsers, process, errors) depends on nothing above it.', from: { path: LEAVES }, to: { path: '^src/core/', pathNot: LEAVES } },
    { name: 'parts-below-orchestrations', severity: 'error', comment: 'Parts (discovery, seed, pip invocation, the installed set) are used by orchestrations, never the reverse.', from: { path: '^src/core/', pathNot: ORCHESTRATIONS }, to: { path: ORCHESTRATIONS } },
    { name: 'core-is-tiered', severity: 'error', comment: 'Every module of the engine lives in one tier folder: leaves, parts or orchestrations.', from: { path: '^src/core/(?!(leaves|parts|orchestrations)/)' }, to: {} },
    { name: 'no-cycles', severity: 'error', comment: 'A cycle makes the tiers meaningless: split the shared piece out into a lower tier.', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(dist|out|node_modules)/' },
  },
};
