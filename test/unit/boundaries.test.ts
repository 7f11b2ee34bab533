/**
 * The layering rule (docs/architecture.md, "The layers") is enforced by the linter: ESLint with the project's own
 * configuration fails an import that points the wrong way and lets the allowed ones through.
 */
import { describe, expect, it } from '@jest/globals';
import { ESLint } from 'eslint';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const eslint = new ESLint({ cwd: root });

async function boundaryErrors(filePath: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: `${root}${filePath}` });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'import-x/no-restricted-paths').map((m) => m.message);
}

describe('import boundaries', () => {
  it('fail a domain module that imports an adapter', async () => {
    const errors = await boundaryErrors(
      'src/domain/room/boundary-probe.ts',
      "import { createOutboxMailer } from '../../infra/mail/outbox.js';\nexport const mailer = createOutboxMailer;\n",
    );
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('../../infra/mail/outbox.js');
  });

  it('fail a command that imports the HTTP layer', async () => {
    const errors = await boundaryErrors(
      'src/commands/rooms/boundary-probe.ts',
      "import { requestMetadata } from '../../http/command.js';\nexport const metadata = requestMetadata;\n",
    );
    expect(errors).toHaveLength(1);
  });

  it('fail an adapter that imports the composition root or a command', async () => {
    const errors = await boundaryErrors(
      'src/infra/mail/boundary-probe.ts',
      [
        "import { wire } from '../../composition/wiring.js';",
        "import { execute } from '../../commands/execute.js';",
        'export const both = [wire, execute];',
        '',
      ].join('\n'),
    );
    expect(errors).toHaveLength(2);
  });

  it('let imports that point down through, and the context type from the composition root', async () => {
    const errors = await boundaryErrors(
      'src/commands/rooms/boundary-probe.ts',
      [
        "import type { AppContext } from '../../composition/context.js';",
        "import { DomainError } from '../../domain/shared/errors.js';",
        "import { storageOf } from '../../infra/storage/index.js';",
        'export const use = (ctx: AppContext) => [storageOf(ctx), DomainError];',
        '',
      ].join('\n'),
    );
    expect(errors).toEqual([]);
  });
});
