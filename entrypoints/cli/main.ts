import { mkdir, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline/promises';
import { Command, InvalidArgumentError } from 'commander';
import { ConfigError, loadConfig } from '../composition/config.js';
import { loadAwsConfig } from '../composition/load-aws-config.js';
import { composeAssistant } from '../composition/container.js';
import { createLocalTokenAuthority } from '../composition/local-module.js';
import { createLogger } from '../composition/logger.js';
import { runServer } from '../http/server.js';
import { HttpClient, InProcessClient, type AssistantClient, type ClientReply } from './assistant-client.js';

const program = new Command()
  .name('assistant')
  .description('Voice Assistant AI: run the server, chat in the terminal, ask one question, or mint a local token.')
  .showHelpAfterError();

program
  .command('start')
  .description('start the HTTP server (configured from the environment; see the README)')
  .action(async () => runServer());

program
  .command('chat')
  .description('talk to the assistant in the terminal, in this process or against a server (--url)')
  .option('--url <url>', 'server base URL; without it the assistant runs in this process')
  .option('--token <jwt>', 'bearer token for --url (default: mint one with the local secret)')
  .option('--user <id>', 'user id', 'local-user')
  .option('--speak <dir>', 'write each reply as a WAV file into this directory')
  .action(async (options: { url?: string; token?: string; user: string; speak?: string }) => {
    if (options.speak) await mkdir(options.speak, { recursive: true });
    const client = await openClient(options);
    try {
      const conversationId = await client.createConversation();
      const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY });
      process.stdout.write(`Conversation ${conversationId}. Type a message; an empty line or Ctrl-D quits.\n`);
      let index = 0;
      for await (const line of rl) {
        const text = line.trim();
        if (!text) break;
        const reply = await client
          .turn(conversationId, text, Boolean(options.speak))
          .catch((error: unknown) => error as Error);
        if (reply instanceof Error) {
          process.stdout.write(`! ${reply.message}\n`);
          continue;
        }
        index += 1;
        await printReply(
          reply,
          options.speak ? `${options.speak}/reply-${String(index).padStart(3, '0')}.wav` : undefined,
        );
        if (reply.endConversation) break;
      }
      rl.close();
    } finally {
      await client.close();
    }
  });

program
  .command('ask')
  .description('send one message and print the reply')
  .argument('<text>', 'what to say')
  .option('--url <url>', 'server base URL; without it the assistant runs in this process')
  .option('--token <jwt>', 'bearer token for --url (default: mint one with the local secret)')
  .option('--user <id>', 'user id', 'local-user')
  .option('--wav <file>', 'also write the spoken reply to this WAV file')
  .option('--json', 'print the whole reply as JSON')
  .action(
    async (text: string, options: { url?: string; token?: string; user: string; wav?: string; json?: boolean }) => {
      const client = await openClient(options);
      try {
        const reply = await client.turn(await client.createConversation(), text, Boolean(options.wav));
        if (options.json) {
          const { audio, ...rest } = reply;
          process.stdout.write(
            `${JSON.stringify({ ...rest, ...(audio && { audio: { format: audio.format, bytes: audio.data.length } }) }, null, 2)}\n`,
          );
          if (options.wav && audio) await writeFile(options.wav, audio.data);
        } else {
          await printReply(reply, options.wav);
        }
      } finally {
        await client.close();
      }
    },
  );

program
  .command('token')
  .description('mint a bearer token signed with the local secret (local profile)')
  .option('--user <id>', 'user id (the token subject)', 'local-user')
  .option('--ttl <seconds>', 'lifetime in seconds', parsePositiveInt)
  .action(async (options: { user: string; ttl?: number }) => {
    process.stdout.write(`${await mintLocalToken(options.user, options.ttl)}\n`);
  });

async function openClient(options: { url?: string; token?: string; user: string }): Promise<AssistantClient> {
  if (options.url) return new HttpClient(options.url, options.token ?? (await mintLocalToken(options.user)));
  const config = await loadAwsConfig();
  const assistant = await composeAssistant(config, {
    logger: createLogger(process.env.LOG_LEVEL ? config.server.logLevel : 'warn'),
  });
  return new InProcessClient(assistant, options.user);
}

async function mintLocalToken(userId: string, ttlSeconds?: number): Promise<string> {
  const config = loadConfig();
  if (config.profile !== 'local')
    throw new Error(`the ${config.profile} profile does not mint tokens; get one from its identity provider`);
  const authority = await createLocalTokenAuthority(config);
  return authority.mint({ userId, ttlSeconds: ttlSeconds ?? config.auth.tokenTtlSeconds });
}

async function printReply(reply: ClientReply, wavPath: string | undefined): Promise<void> {
  const via = reply.skill ? `${reply.skill}/${reply.intent}` : reply.route;
  process.stdout.write(`${reply.text}\n  [${via}, ${reply.timings.total ?? '?'} ms]\n`);
  if (wavPath && reply.audio) {
    await writeFile(wavPath, reply.audio.data);
    process.stdout.write(`  speech written to ${wavPath}\n`);
  } else if (wavPath && reply.speechError) {
    process.stdout.write(`  no speech: ${reply.speechError}\n`);
  }
}

function parsePositiveInt(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0)
    throw new InvalidArgumentError('must be a positive whole number of seconds');
  return parsed;
}

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof ConfigError ? error.message : error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exitCode = 1;
});
