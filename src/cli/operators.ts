import { Command } from 'commander';
import { permissionsMarkdown } from '../modules/access/permissions-doc.js';
import { openRuntime } from '../runtime.js';
import { configOrExit, fail, loggerFor } from './context.js';

/** Audit actor for actions taken by someone with shell access to the server. */
export const cliContext = { actor: { type: 'system' as const, id: 'cli' }, requestId: null, ip: null };

export function operatorsCommand(): Command {
  const command = new Command('operators').description('Manage operator accounts from the server shell.');
  command
    .command('create-admin')
    .description(
      'Print a one-time link to create the first admin; when operators exist already, invite a new admin (break-glass).',
    )
    .option('--email <email>', 'e-mail address of the new admin (needed when operators exist)')
    .option('--name <name>', 'display name of the new admin', 'Administrator')
    .action(async (options: { email?: string; name: string }) => {
      const config = configOrExit();
      const logger = loggerFor(config);
      const runtime = await openRuntime({ config, logger }).catch((error: unknown) =>
        fail(logger, error, 'cannot open the database'),
      );
      try {
        const first = await runtime.services.operators.issueFirstAdminToken(cliContext);
        if (first) {
          process.stdout.write(
            `No operator exists yet. Create the first admin within ${Math.round(config.setupTokenTtl / 60_000)} minutes (one use):\n` +
              `  POST /v1/setup/first-admin {"token":"${first.token}","email":…,"displayName":…,"password":…}\n`,
          );
        } else if (!options.email) {
          process.stderr.write('Operators exist already; pass --email to invite another admin.\n');
          process.exitCode = 2;
        } else {
          // The CLI is the root path of the grant policy: whoever runs it holds the database and key files.
          const invited = await runtime.services.operators.invite(
            cliContext,
            { kind: 'root' },
            {
              email: options.email,
              displayName: options.name,
              roles: ['admin'],
            },
          );
          process.stdout.write(
            `Invited ${options.email} as admin. The invitation expires ${invited.expiresAt.toISOString()}:\n  ${invited.invitationUrl}\n`,
          );
        }
      } catch (error) {
        await runtime.close(1000);
        fail(logger, error, 'could not create the admin');
      }
      await runtime.close(1000);
    });
  return command;
}

export function permissionsCommand(): Command {
  return new Command('permissions')
    .description('Print the role and permission matrix (docs/PERMISSIONS.md is generated from it).')
    .option('--markdown', 'as Markdown')
    .action(() => {
      process.stdout.write(permissionsMarkdown());
    });
}
