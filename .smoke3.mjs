import { GenericContainer, Wait, getContainerRuntimeClient } from 'testcontainers';
import { DynamoDBClient, CreateTableCommand, PutItemCommand, ScanCommand, TransactWriteItemsCommand, GetItemCommand } from '@aws-sdk/client-dynamodb';
process.env.DOCKER_HOST='unix:///work/main/.containers/podman.sock';
process.env.TESTCONTAINERS_RYUK_DISABLED='true';
process.env.TESTCONTAINERS_HOST_OVERRIDE='127.0.0.1';
const img = process.argv[2]; const mode = process.argv[3];
const c = await new GenericContainer(img).withExposedPorts({container:8000, host: 45124}).withCommand(['-jar','DynamoDBLocal.jar','-sharedDb','-dbPath','/tmp'])
  .withLabels({'voice-assistant.tests':'/work/main'})
  .withWaitStrategy(Wait.forHttp('/', 8000).forStatusCodeMatching(() => true)).start();
const client = new DynamoDBClient({ endpoint: 'http://127.0.0.1:45124', region:'us-east-1', credentials:{accessKeyId:'x',secretAccessKey:'x'}});
await client.send(new CreateTableCommand({TableName:'ttt', BillingMode:'PAY_PER_REQUEST', AttributeDefinitions:[{AttributeName:'pk',AttributeType:'S'}], KeySchema:[{AttributeName:'pk',KeyType:'HASH'}]}));
const d = (await getContainerRuntimeClient()).container.getById(c.getId());
let lost = 0;
for (let round = 0; round < 5; round++) {
await client.send(new PutItemCommand({TableName:'ttt', Item:{pk:{S:'h'+round}, v:{N:'0'}}}));
for (let i=1;i<=3;i++) {
  await client.send(new TransactWriteItemsCommand({TransactItems:[
   {Update:{TableName:'ttt', Key:{pk:{S:'h'+round}}, UpdateExpression:'SET v = :n', ConditionExpression:'v = :o', ExpressionAttributeValues:{':n':{N:String(i)}, ':o':{N:String(i-1)}}}},
   {Put:{TableName:'ttt', Item:{pk:{S:'t'+round+'-'+i}}}}]}));
}
await d.stop({ t: mode === 'kill' ? 0 : 10 });
await c.restart();
const r = await client.send(new GetItemCommand({TableName:'ttt', Key:{pk:{S:'h'+round}}, ConsistentRead:true}));
console.log(mode, 'round', round, 'h=', r.Item?.v?.N);
}
await d.remove({force:true});
