package org.curio.sync;

/** {@link QueueContract} over the priority queue. */
class PriorityQueueContractTest extends QueueContract {
    @Override
    TestQueue.Kind kind() {
        return TestQueue.Kind.PRIORITY;
    }
}
