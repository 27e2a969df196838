// (e) A graceful leave is seen as "left" (never "failed") by everyone.
import { leaveScenario } from './scenarios.js';
import { seedTests } from './seeds.js';

seedTests('gossip sim leave', 'leave', leaveScenario);
