import { MemoryConversationStore } from '../../../adapters/local/memory-conversation-store.js';
import { describeConversationStoreContract } from '../../contract/conversation-store.contract.js';

describeConversationStoreContract('MemoryConversationStore', async () => ({ store: new MemoryConversationStore() }));
