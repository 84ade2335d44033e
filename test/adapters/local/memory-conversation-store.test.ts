import { MemoryConversationStore } from '../../../adapters/local/memory-conversation-store.js';
import { describeConversationStoreContract } from '../../contract/conversation-store.contract.js';

describeConversationStoreContract('MemoryConversationStore', async () => {
  const store = new MemoryConversationStore();
  return {
    store,
    pendingEvents: async (userId) =>
      (await store.outbox.peek(10_000)).map((entry) => entry.event).filter((event) => event.userId === userId),
  };
});
