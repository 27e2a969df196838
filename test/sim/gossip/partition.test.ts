// (c) A partition: each side declares the other failed; after healing, serf-style rejoins bring
// everyone back to alive in everyone's view.
import { partitionScenario } from './scenarios.js';
import { seedTests } from './seeds.js';

seedTests('gossip sim partition', 'partition', partitionScenario);
