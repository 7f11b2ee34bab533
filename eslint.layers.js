// The layering rule of src/ (docs/architecture.md, "The layers"), as zones of import-x/no-restricted-paths:
// a file under `target` may not import a file under `from` (unless it is under one of `except`).
// `composition/context.ts` and `composition/principal.ts` declare only types (the AppContext handed to routes, workers and
// module wirings, the authenticated caller), so importing them moves no wiring into a layer; everything else in
// `composition/` is the composition root and only it wires. Command handlers need neither: they take the ports they use
// from `src/commands/ports.ts` (which AppContext extends); in `src/commands` only the module wirings
// (`*/wiring.ts`, which install adapters on the context) name AppContext.
const CONTEXT_TYPES = ['./context.ts', './principal.ts'];

export const layerZones = [
  {
    target: 'src/domain',
    from: 'src',
    except: ['./domain'],
    message: 'The domain imports nothing outside src/domain (no I/O, no adapters, no HTTP).',
  },
  {
    target: ['src/commands', 'src/projections'],
    from: ['src/http', 'src/collab', 'src/workers'],
    message: 'Commands and projections sit below the HTTP, collab and worker edges; move the helper down.',
  },
  {
    target: 'src/infra',
    from: ['src/commands', 'src/projections', 'src/http', 'src/collab', 'src/workers'],
    message: 'Adapters (infra) know nothing of the layers that use them; take what you need as a parameter.',
  },
  {
    target: 'src/infra',
    from: 'src/composition',
    message: 'Adapters do not import the composition root; it hands them their configuration.',
  },
  {
    target: ['src/commands', 'src/projections', 'src/workers', 'src/http', 'src/collab'],
    from: 'src/composition',
    except: CONTEXT_TYPES,
    message: 'Only the composition root (src/composition) wires; other layers may import its AppContext and Principal types only.',
  },
];
