package dev.runnel.jetty;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The budget's bookkeeping: it never goes over its limit, and a reservation gives back once. */
class BodyBudgetTest {

    @Test
    void aReservationGrowsOnlyWithinTheLimit() {
        BodyBudget budget = new BodyBudget(100);
        BodyBudget.Reservation a = budget.reserve();
        BodyBudget.Reservation b = budget.reserve();
        assertThat(a.grow(60)).isTrue();
        assertThat(b.grow(41)).isFalse();
        assertThat(budget.used()).isEqualTo(60);
        assertThat(b.grow(40)).isTrue();
        assertThat(budget.used()).isEqualTo(100);
        assertThat(a.grow(1)).isFalse();
    }

    @Test
    void releasingTwiceGivesBackOnce() {
        BodyBudget budget = new BodyBudget(100);
        BodyBudget.Reservation a = budget.reserve();
        BodyBudget.Reservation b = budget.reserve();
        a.grow(30);
        b.grow(50);
        a.release();
        a.release();
        assertThat(budget.used()).isEqualTo(50);
    }

    @Test
    void aReleasedReservationRefusesToGrowAndKeepsNothing() {
        BodyBudget budget = new BodyBudget(100);
        BodyBudget.Reservation a = budget.reserve();
        a.grow(10);
        a.release();
        assertThat(a.grow(5)).isFalse();
        a.shrinkTo(0);
        assertThat(budget.used()).isZero();
    }

    @Test
    void shrinkingGivesBackWhatIsBeyondTheNewSize() {
        BodyBudget budget = new BodyBudget(100);
        BodyBudget.Reservation a = budget.reserve();
        a.grow(64);
        a.shrinkTo(3);
        assertThat(budget.used()).isEqualTo(3);
        a.shrinkTo(10); // never grows
        assertThat(budget.used()).isEqualTo(3);
        a.release();
        assertThat(budget.used()).isZero();
    }

    @Test
    void releasesRacingGrowthsLeaveNothingHeld() throws Exception {
        BodyBudget budget = new BodyBudget(1_000_000);
        for (int round = 0; round < 2_000; round++) {
            BodyBudget.Reservation r = budget.reserve();
            Thread grower = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 50; i++) {
                    r.grow(7);
                }
            });
            r.release();
            grower.join();
            assertThat(budget.used()).as("round %d", round).isZero();
        }
    }
}
