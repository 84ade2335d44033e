import { TypedContainerModule } from '@inversifyjs/strongly-typed';
import type { Bindings } from './bindings.js';
import { boundTransport, required, type AppConfig } from './config.js';
import { bindFactory } from './typed-factory.js';

export interface AwsModuleOptions {
  /**
   * Every AWS SDK client the module creates passes through here before an adapter gets it: the Lambda functions
   * wrap each with their tracer (a subsegment per call). Default: the client as it is.
   */
  captureClient?: <C>(client: C) => C;
}

/**
 * Binds every port whose selected adapter is an AWS service or Redis (all of them in the aws profile), with the clients
 * they share (created once per container, once per Lambda cold start, and destroyed with it). Each adapter and its
 * SDK client are imported and created when the binding is first resolved, so a process loads only the clients it uses.
 */
export function awsModule(config: AppConfig, options: AwsModuleOptions = {}) {
  const capture = options.captureClient ?? (<C>(client: C) => client);
  const selected = config.adapters;
  const clientConfig = {
    ...(config.aws.region && { region: config.aws.region }),
    ...(config.aws.endpoint && { endpoint: config.aws.endpoint }),
  };
  // A paused or unreachable service must fail the call (and the turn, with a retryable 503), not hang it: the SDK
  // only warns on a request timeout unless told to throw.
  const http1ClientConfig = {
    ...clientConfig,
    requestHandler: {
      connectionTimeout: config.aws.requestTimeoutMs,
      requestTimeout: config.aws.requestTimeoutMs,
      throwOnRequestTimeout: true,
    },
  };
  const { lex, cognito } = config.aws;
  return new TypedContainerModule<Bindings>(({ bind }) => {
    if (selected.conversationStore === 'dynamodb') {
      bindFactory(bind, 'dynamoDb', [], async () => {
        const { createDynamoDbDocumentClient } = await import('../../adapters/aws/dynamodb/dynamodb-table.js');
        return capture(createDynamoDbDocumentClient(http1ClientConfig));
      }).onDeactivation((client) => {
        client.destroy();
      });
      bindFactory(bind, 'conversationStore', ['dynamoDb', 'clock'], async (client, clock) => {
        const { DynamoDbConversationStore } =
          await import('../../adapters/aws/dynamodb/dynamodb-conversation-store.js');
        return new DynamoDbConversationStore({
          client,
          tableName: config.aws.tableName,
          retentionDays: config.aws.retentionDays,
          eventSource: config.aws.eventSource,
          clock,
        });
      });
      bindFactory(bind, 'userProfileStore', ['dynamoDb'], async (client) => {
        const { DynamoDbUserProfileStore } = await import('../../adapters/aws/dynamodb/dynamodb-user-profile-store.js');
        return new DynamoDbUserProfileStore({ client, tableName: config.aws.tableName });
      });
      // A turn's events are items of its transaction, relayed from the table's stream: by an EventBridge Pipe on
      // AWS (`EVENT_RELAY=pipe`), so this process must not publish them too; or, where no Pipe reads the table
      // (DynamoDB Local, a self-hosted table), by this process reading the stream into the transport
      // (`EVENT_RELAY=stream`). Events written with nothing else go to the transport directly.
      // With EVENTS=none the local module binds no events at all, and the store writes none with the turns.
      if (selected.events !== 'none' && config.aws.eventRelay.kind === 'stream') {
        bindFactory(bind, 'eventRelay', ['eventTransport', 'telemetry'], async (transport, telemetry) => {
          const { DynamoDbStreamEventRelay } = await import('../../adapters/aws/dynamodb/stream-event-relay.js');
          const relay = new DynamoDbStreamEventRelay({
            tableName: config.aws.tableName,
            transport: boundTransport(transport),
            telemetry,
            start: config.aws.eventRelay.start,
            clientConfig: http1ClientConfig,
          });
          relay.startPolling();
          return relay;
        }).onDeactivation((relay) => (relay as { stop?: () => Promise<void> }).stop?.());
      } else if (selected.events !== 'none') {
        bindFactory(bind, 'eventRelay', ['telemetry'], async (telemetry) => {
          const { PipeEventRelay } = await import('../../adapters/aws/dynamodb/pipe-event-relay.js');
          if (selected.events === 'in-process')
            telemetry.warn(
              'turn events reach the bus only through the DynamoDB stream Pipe; in-process listeners miss them (EVENT_RELAY=stream reads the stream here)',
            );
          return new PipeEventRelay();
        });
      }
      if (selected.events !== 'none') bindFactory(bind, 'eventPublisher', ['eventTransport'], (transport) => transport);
    }
    if (selected.nlu === 'lex') {
      const {
        botId = required(lex.botId, 'LEX_BOT_ID'),
        botAliasId = required(lex.botAliasId, 'LEX_BOT_ALIAS_ID'),
        localeId,
      } = lex;
      bindFactory(bind, 'languageUnderstanding', ['skills'], async (skills) => {
        const [{ LexLanguageUnderstanding }, { lexBotDefinition }, { LexRuntimeV2Client }] = await Promise.all([
          import('../../adapters/aws/lex/lex-language-understanding.js'),
          import('../../adapters/aws/lex/lex-bot-definition.js'),
          import('@aws-sdk/client-lex-runtime-v2'),
        ]);
        // The same skills that define the bot define how its answers map back, so the two cannot drift apart.
        const training = await skills.trainingSet(localeId.split('_')[0] ?? 'en');
        const { intentMap, slots } = lexBotDefinition(training, {
          botName: config.assistantName,
          localeId,
          confidenceThreshold: config.nlu.confidenceThreshold,
        });
        const client = capture(new LexRuntimeV2Client(clientConfig));
        return new LexLanguageUnderstanding({ botId, botAliasId, localeId, intentMap, slots, client });
      });
    }
    if (selected.llm === 'bedrock') {
      bindFactory(bind, 'languageModel', ['telemetry'], async (telemetry) => {
        const [{ BedrockLanguageModel }, { BedrockRuntimeClient }] = await Promise.all([
          import('../../adapters/aws/bedrock-language-model.js'),
          import('@aws-sdk/client-bedrock-runtime'),
        ]);
        return new BedrockLanguageModel({
          modelId: config.aws.bedrock.modelId,
          maxTokens: config.llm.maxTokens,
          temperature: config.llm.temperature,
          timeoutMs: config.llm.timeoutMs,
          telemetry,
          ...(config.aws.bedrock.guardrail && { guardrail: config.aws.bedrock.guardrail }),
          client: capture(new BedrockRuntimeClient(clientConfig)),
        });
      });
    }
    if (selected.tts === 'polly') {
      bindFactory(bind, 'speechSynthesizer', [], async () => {
        const [{ PollySpeechSynthesizer }, { PollyClient }] = await Promise.all([
          import('../../adapters/aws/polly-speech-synthesizer.js'),
          import('@aws-sdk/client-polly'),
        ]);
        return new PollySpeechSynthesizer({
          engine: config.aws.polly.engine,
          defaultVoice: config.aws.polly.voice,
          client: capture(new PollyClient(clientConfig)),
        });
      });
    }
    if (selected.stt === 'transcribe') {
      bindFactory(bind, 'speechRecognizer', ['telemetry'], async (telemetry) => {
        const [{ TranscribeSpeechRecognizer }, { TranscribeStreamingClient }] = await Promise.all([
          import('../../adapters/aws/transcribe-speech-recognizer.js'),
          import('@aws-sdk/client-transcribe-streaming'),
        ]);
        // The streaming client prints every failed stream to the console unless it has a logger of its own.
        const logger = {
          debug: () => undefined,
          info: () => undefined,
          warn: (message: unknown) => telemetry.warn(String(message)),
          error: (message: unknown) => telemetry.error(String(message)),
        };
        return new TranscribeSpeechRecognizer({
          client: capture(new TranscribeStreamingClient({ ...clientConfig, logger })),
        });
      });
    } else if (selected.stt === 'lex') {
      const {
        botId = required(lex.botId, 'LEX_BOT_ID'),
        botAliasId = required(lex.botAliasId, 'LEX_BOT_ALIAS_ID'),
        localeId,
      } = lex;
      bindFactory(bind, 'speechRecognizer', [], async () => {
        const [{ LexSpeechRecognizer }, { LexRuntimeV2Client }] = await Promise.all([
          import('../../adapters/aws/lex/lex-speech-recognizer.js'),
          import('@aws-sdk/client-lex-runtime-v2'),
        ]);
        const client = capture(new LexRuntimeV2Client(clientConfig));
        return new LexSpeechRecognizer({ botId, botAliasId, localeId, client });
      });
    }
    if (selected.sentiment === 'comprehend') {
      bindFactory(bind, 'sentimentAnalyzer', [], async () => {
        const [{ ComprehendSentimentAnalyzer }, { ComprehendClient }] = await Promise.all([
          import('../../adapters/aws/comprehend-sentiment-analyzer.js'),
          import('@aws-sdk/client-comprehend'),
        ]);
        return new ComprehendSentimentAnalyzer({ client: capture(new ComprehendClient(http1ClientConfig)) });
      });
    }
    if (selected.events === 'eventbridge') {
      bindFactory(bind, 'eventTransport', [], async () => {
        const [{ EventBridgeEventPublisher }, { EventBridgeClient }] = await Promise.all([
          import('../../adapters/aws/eventbridge-event-publisher.js'),
          import('@aws-sdk/client-eventbridge'),
        ]);
        return new EventBridgeEventPublisher({
          eventBusName: config.aws.eventBusName,
          source: config.aws.eventSource,
          client: capture(new EventBridgeClient(http1ClientConfig)),
        });
      });
    }
    if (selected.cache === 'redis') {
      const url = required(config.cache.redisUrl, 'REDIS_URL');
      bindFactory(bind, 'redis', ['telemetry'], async (telemetry) => {
        const [{ Redis }, { redisClientOptions }] = await Promise.all([
          import('ioredis'),
          import('../../adapters/redis/redis-cache.js'),
        ]);
        const client = new Redis(url, redisClientOptions());
        // Without a listener ioredis reports every failed reconnect as an unhandled error event.
        client.on('error', (error: Error) => telemetry.warn('redis connection error', { error: error.message }));
        return client;
      }).onDeactivation(async (client) => {
        await client.quit().catch(() => client.disconnect());
      });
      bindFactory(bind, 'cache', ['redis'], async (client) => {
        const { RedisCache } = await import('../../adapters/redis/redis-cache.js');
        return new RedisCache({ client });
      });
    }
    if (selected.audioStore === 's3') {
      const bucket = required(config.aws.audio.bucket, 'AUDIO_BUCKET');
      bindFactory(bind, 'audioStore', [], async () => {
        const [{ S3AudioStore }, { S3Client }] = await Promise.all([
          import('../../adapters/aws/s3-audio-store.js'),
          import('@aws-sdk/client-s3'),
        ]);
        return new S3AudioStore({
          bucket,
          prefix: config.aws.audio.prefix,
          client: capture(new S3Client(http1ClientConfig)),
        });
      });
    }
    const workflow = config.aws.workflow;
    if (workflow) {
      bindFactory(bind, 'turnWorkflow', [], async () => {
        const [{ StepFunctionsTurnWorkflow }, { SFNClient }] = await Promise.all([
          import('../../adapters/aws/step-functions-turn-workflow.js'),
          import('@aws-sdk/client-sfn'),
        ]);
        return new StepFunctionsTurnWorkflow({
          stateMachineArn: workflow.stateMachineArn,
          client: capture(new SFNClient(clientConfig)),
        });
      });
    }
    if (selected.auth === 'cognito') {
      const {
        userPoolId = required(cognito.userPoolId, 'COGNITO_USER_POOL_ID'),
        clientId = required(cognito.clientId, 'COGNITO_CLIENT_ID'),
        tokenUse,
      } = cognito;
      bindFactory(bind, 'tokenVerifier', [], async () => {
        const { CognitoTokenVerifier } = await import('../../adapters/aws/cognito-token-verifier.js');
        return new CognitoTokenVerifier({ userPoolId, clientId, tokenUse });
      });
      bind('tokenMinter').toConstantValue(null);
    }
  });
}
