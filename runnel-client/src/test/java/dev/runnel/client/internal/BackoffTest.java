package dev.runnel.client.internal;

import org.junit.jupiter.api.Test;

import java.util.random.RandomGenerator;

import static org.assertj.core.api.Assertions.assertThat;

/** The wait before reconnecting after failures: {@link Backoff.millis}. */
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
        assertThat(Backoff.millis(1, 3000, 30_000, fixed(false))).isEqualTo(3000);
        assertThat(Backoff.millis(1, 3000, 30_000, fixed(true))).isEqualTo(3000);
    }

    @Test
    void laterFailuresDoubleWithJitterBetweenHalfAndAll() {
        // n-th failure: from half to all of 3000 x 2^(n-1)
        assertThat(Backoff.millis(2, 3000, 30_000, fixed(false))).isEqualTo(3000);
        assertThat(Backoff.millis(2, 3000, 30_000, fixed(true))).isEqualTo(6000);
        assertThat(Backoff.millis(3, 3000, 30_000, fixed(false))).isEqualTo(6000);
        assertThat(Backoff.millis(3, 3000, 30_000, fixed(true))).isEqualTo(12_000);
    }

    @Test
    void theBackoffIsCappedButNeverBelowTheReconnectionTime() {
        assertThat(Backoff.millis(50, 3000, 30_000, fixed(true))).isEqualTo(30_000);
        assertThat(Backoff.millis(50, 3000, 30_000, fixed(false))).isEqualTo(15_000);
        assertThat(Backoff.millis(Integer.MAX_VALUE, Long.MAX_VALUE / 4, Long.MAX_VALUE, fixed(true)))
                .isPositive();
    }

    @Test
    void aZeroReconnectionTimeStillBacksOffFromAHundredMillis() {
        assertThat(Backoff.millis(1, 0, 30_000, fixed(true))).isZero();
        assertThat(Backoff.millis(2, 0, 30_000, fixed(false))).isEqualTo(100);
        assertThat(Backoff.millis(2, 0, 30_000, fixed(true))).isEqualTo(200);
    }

    private static final long SECOND_NANOS = 1_000_000_000L;

    @Test
    void streamsThatEndSoonCountAsReconnectsInARow() {
        Backoff backoff = new Backoff(0, 30_000, 60 * SECOND_NANOS);
        assertThat(backoff.afterStream(1000, SECOND_NANOS)).isEqualTo(1000);
        assertThat(backoff.afterStream(1000, SECOND_NANOS)).isBetween(1000L, 2000L);
        assertThat(backoff.afterFailedAttempt(1000)).isBetween(2000L, 4000L);
        assertThat(backoff.inARow()).isEqualTo(3);
    }

    @Test
    void onlyAStreamThatStayedUpForTheResetTimeStartsTheCountAgain() {
        Backoff backoff = new Backoff(0, 30_000, 60 * SECOND_NANOS);
        backoff.afterFailedAttempt(1000);
        backoff.afterStream(1000, 59 * SECOND_NANOS);
        assertThat(backoff.inARow()).isEqualTo(2);
        assertThat(backoff.afterStream(1000, 60 * SECOND_NANOS)).isEqualTo(1000);
        assertThat(backoff.inARow()).isEqualTo(1);
    }

    @Test
    void aServersRetryAboveTheCapWaitsTheCap() {
        Backoff backoff = new Backoff(100, 30_000, 60 * SECOND_NANOS);
        assertThat(backoff.afterFailedAttempt(Long.MAX_VALUE)).isEqualTo(30_000);
        assertThat(backoff.afterStream(60_000, 0)).isBetween(15_000L, 30_000L);
        for (int i = 0; i < 70; i++) {
            assertThat(backoff.afterFailedAttempt(Long.MAX_VALUE)).isBetween(15_000L, 30_000L);
        }
    }

    @Test
    void aFloorAboveTheCapWins() {
        Backoff backoff = new Backoff(45_000, 30_000, 60 * SECOND_NANOS);
        assertThat(backoff.afterFailedAttempt(Long.MAX_VALUE)).isEqualTo(45_000);
        assertThat(backoff.afterFailedAttempt(0)).isEqualTo(45_000);
    }

    @Test
    void theFloorHoldsForAZeroReconnectionTime() {
        Backoff backoff = new Backoff(250, 30_000, 0);
        assertThat(backoff.afterStream(0, 0)).isEqualTo(250);
        assertThat(backoff.afterStream(0, 0)).isEqualTo(250); // a zero reset time: every stream starts again
        assertThat(backoff.afterFailedAttempt(0)).isBetween(250L, 500L);
    }
}
