package org.curio.sync;

/** {@link QueueContract} over the fifo queue. */
class FifoQueueContractTest extends QueueContract {
    @Override
    TestQueue.Kind kind() {
        return TestQueue.Kind.FIFO;
    }
}
