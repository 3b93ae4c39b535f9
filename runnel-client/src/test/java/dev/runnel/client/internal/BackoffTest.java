package dev.runnel.client.internal;

import org.junit.jupiter.api.Test;

import java.util.random.RandomGenerator;

import static org.assertj.core.api.Assertions.assertThat;

/** The wait before reconnecting after failures: {@link RealEventSource#backoffMillis}. */
class BackoffTest {

    /** Always the smallest draw, or always the largest. */
    private static RandomGenerator fixed(boolean largest) {
        return new RandomGenerator() {
            @Override
            public long nextLong() {
                throw new UnsupportedOperationException();
            }

            @Override
            public long nextLong(long bound) {
                return largest ? bound - 1 : 0;
            }
        };
    }

    @Test
    void theFirstFailureWaitsExactlyTheReconnectionTime() {
        assertThat(RealEventSource.backoffMillis(1, 3000, 30_000, fixed(false))).isEqualTo(3000);
        assertThat(RealEventSource.backoffMillis(1, 3000, 30_000, fixed(true))).isEqualTo(3000);
    }

    @Test
    void laterFailuresDoubleWithJitterBetweenHalfAndAll() {
        // n-th failure: from half to all of 3000 x 2^(n-1)
        assertThat(RealEventSource.backoffMillis(2, 3000, 30_000, fixed(false))).isEqualTo(3000);
        assertThat(RealEventSource.backoffMillis(2, 3000, 30_000, fixed(true))).isEqualTo(6000);
        assertThat(RealEventSource.backoffMillis(3, 3000, 30_000, fixed(false))).isEqualTo(6000);
        assertThat(RealEventSource.backoffMillis(3, 3000, 30_000, fixed(true))).isEqualTo(12_000);
    }

    @Test
    void theBackoffIsCappedButNeverBelowTheReconnectionTime() {
        assertThat(RealEventSource.backoffMillis(50, 3000, 30_000, fixed(true))).isEqualTo(30_000);
        assertThat(RealEventSource.backoffMillis(50, 3000, 30_000, fixed(false))).isEqualTo(15_000);
        assertThat(RealEventSource.backoffMillis(5, 60_000, 30_000, fixed(false))).isEqualTo(60_000);
        assertThat(RealEventSource.backoffMillis(Integer.MAX_VALUE, Long.MAX_VALUE / 4, Long.MAX_VALUE, fixed(true)))
                .isPositive();
    }

    @Test
    void aZeroReconnectionTimeStillBacksOffFromAHundredMillis() {
        assertThat(RealEventSource.backoffMillis(1, 0, 30_000, fixed(true))).isZero();
        assertThat(RealEventSource.backoffMillis(2, 0, 30_000, fixed(false))).isEqualTo(100);
        assertThat(RealEventSource.backoffMillis(2, 0, 30_000, fixed(true))).isEqualTo(200);
    }
}
