import { MemoryUserProfileStore } from '../../../adapters/local/memory-user-profile-store.js';
import { describeUserProfileStoreContract } from '../../contract/user-profile-store.contract.js';

describeUserProfileStoreContract('MemoryUserProfileStore', async () => ({ store: new MemoryUserProfileStore() }));
