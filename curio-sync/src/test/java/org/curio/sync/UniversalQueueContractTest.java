package org.curio.sync;

/** {@link QueueContract} over the universal queue. */
class UniversalQueueContractTest extends QueueContract {
    @Override
    TestQueue.Kind kind() {
        return TestQueue.Kind.UNIVERSAL;
    }
}
