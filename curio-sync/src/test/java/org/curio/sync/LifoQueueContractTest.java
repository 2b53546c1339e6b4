package org.curio.sync;

/** {@link QueueContract} over the lifo queue. */
class LifoQueueContractTest extends QueueContract {
    @Override
    TestQueue.Kind kind() {
        return TestQueue.Kind.LIFO;
    }
}
