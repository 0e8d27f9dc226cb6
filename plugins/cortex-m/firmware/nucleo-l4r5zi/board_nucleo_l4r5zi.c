/* plugins/cortex-m/firmware/nucleo-l4r5zi/board_nucleo_l4r5zi.c — board
 * support for ST's NUCLEO-L4R5ZI (STM32L4R5ZI, Cortex-M4F, the MLPerf Tiny
 * reference board).  C99.
 *
 * BUILT IN CI, NOT RUN HERE: there is no board attached to this machine.
 * Register addresses and bit positions are those of the STM32L4+ reference
 * manual (RM0432); the sequence is the documented one.
 *
 * Clocks: HSI16 -> PLL (M=1, N=15, R=2) -> SYSCLK 120 MHz, in voltage range
 * 1 boost mode (PWR_CR5.R1MODE = 0) with 5 flash wait states; the switch
 * above 80 MHz goes through AHB/2 for at least 1 us as the manual requires.
 * Link UART: LPUART1 on PG7 (TX) / PG8 (RX), AF8, wired to the ST-LINK
 * virtual COM port; PG7/PG8 sit in the VDDIO2 domain, so PWR_CR2.IOSV must
 * be set first.  LPUART1 is clocked from HSI16 so the baud rate does not
 * depend on SYSCLK: BRR = 256 * 16 MHz / 115200.
 * Cycle source: DWT CYCCNT (core cycles at 120 MHz).
 */
#include <stdint.h>

#include "cm_board.h"

#define CM_NUCLEO_HCLK_HZ 120000000u
#define CM_NUCLEO_BAUD 115200u

/* RCC */
#define RCC_BASE 0x40021000u
#define RCC_CR CM_REG32(RCC_BASE + 0x00u)
#define RCC_CFGR CM_REG32(RCC_BASE + 0x08u)
#define RCC_PLLCFGR CM_REG32(RCC_BASE + 0x0Cu)
#define RCC_AHB2ENR CM_REG32(RCC_BASE + 0x4Cu)
#define RCC_APB1ENR1 CM_REG32(RCC_BASE + 0x58u)
#define RCC_APB1ENR2 CM_REG32(RCC_BASE + 0x5Cu)
#define RCC_CCIPR CM_REG32(RCC_BASE + 0x88u)
#define RCC_CR_HSION (1u << 8)
#define RCC_CR_HSIRDY (1u << 10)
#define RCC_CR_PLLON (1u << 24)
#define RCC_CR_PLLRDY (1u << 25)
#define RCC_CFGR_SW_MASK 0x3u
#define RCC_CFGR_SW_PLL 0x3u
#define RCC_CFGR_SWS_MASK (0x3u << 2)
#define RCC_CFGR_SWS_PLL (0x3u << 2)
#define RCC_CFGR_HPRE_MASK (0xFu << 4)
#define RCC_CFGR_HPRE_DIV2 (0x8u << 4)
#define RCC_PLLCFGR_SRC_HSI16 0x2u
#define RCC_PLLCFGR_M(m) (((m) - 1u) << 4)  /* PLLM[3:0] at bits 7:4 */
#define RCC_PLLCFGR_N(n) ((n) << 8)         /* PLLN at bits 14:8      */
#define RCC_PLLCFGR_R_DIV2 (0x0u << 25)     /* PLLR at bits 26:25     */
#define RCC_PLLCFGR_REN (1u << 24)
#define RCC_AHB2ENR_GPIOG (1u << 6)
#define RCC_APB1ENR1_PWR (1u << 28)
#define RCC_APB1ENR2_LPUART1 (1u << 0)
#define RCC_CCIPR_LPUART1SEL_MASK (0x3u << 10)
#define RCC_CCIPR_LPUART1SEL_HSI16 (0x2u << 10)

/* PWR */
#define PWR_BASE 0x40007000u
#define PWR_CR1 CM_REG32(PWR_BASE + 0x00u)
#define PWR_CR2 CM_REG32(PWR_BASE + 0x04u)
#define PWR_SR2 CM_REG32(PWR_BASE + 0x14u)
#define PWR_CR5 CM_REG32(PWR_BASE + 0x80u)
#define PWR_CR1_VOS_MASK (0x3u << 9)
#define PWR_CR1_VOS_RANGE1 (0x1u << 9)
#define PWR_CR2_IOSV (1u << 9)
#define PWR_SR2_VOSF (1u << 10)
#define PWR_CR5_R1MODE (1u << 8) /* 1 = normal range 1, 0 = boost */

/* FLASH */
#define FLASH_ACR CM_REG32(0x40022000u)
#define FLASH_ACR_LATENCY_MASK 0xFu
#define FLASH_ACR_LATENCY_5WS 0x5u
#define FLASH_ACR_PRFTEN (1u << 8)
#define FLASH_ACR_ICEN (1u << 9)
#define FLASH_ACR_DCEN (1u << 10)

/* GPIOG */
#define GPIOG_BASE 0x48001800u
#define GPIOG_MODER CM_REG32(GPIOG_BASE + 0x00u)
#define GPIOG_OSPEEDR CM_REG32(GPIOG_BASE + 0x08u)
#define GPIOG_AFRL CM_REG32(GPIOG_BASE + 0x20u)
#define GPIOG_AFRH CM_REG32(GPIOG_BASE + 0x24u)

/* LPUART1 */
#define LPUART1_BASE 0x40008000u
#define LPUART1_CR1 CM_REG32(LPUART1_BASE + 0x00u)
#define LPUART1_BRR CM_REG32(LPUART1_BASE + 0x0Cu)
#define LPUART1_ISR CM_REG32(LPUART1_BASE + 0x1Cu)
#define LPUART1_ICR CM_REG32(LPUART1_BASE + 0x20u)
#define LPUART1_RDR CM_REG32(LPUART1_BASE + 0x24u)
#define LPUART1_TDR CM_REG32(LPUART1_BASE + 0x28u)
#define USART_CR1_UE (1u << 0)
#define USART_CR1_RE (1u << 2)
#define USART_CR1_TE (1u << 3)
#define USART_ISR_ORE (1u << 3)
#define USART_ISR_RXNE (1u << 5)
#define USART_ISR_TXE (1u << 7)
#define USART_ICR_ORECF (1u << 3)

static uint32_t count_last;
static uint32_t count_high;

static void delay_cycles(uint32_t n)
{
    for (volatile uint32_t i = 0; i < n; i++) {
    }
}

static void clock_init(void)
{
    RCC_APB1ENR1 |= RCC_APB1ENR1_PWR;
    (void)RCC_APB1ENR1;

    /* Range 1, then boost mode (R1MODE = 0) before going above 80 MHz. */
    PWR_CR1 = (PWR_CR1 & ~PWR_CR1_VOS_MASK) | PWR_CR1_VOS_RANGE1;
    while (PWR_SR2 & PWR_SR2_VOSF) {
    }
    PWR_CR5 &= ~PWR_CR5_R1MODE;

    RCC_CR |= RCC_CR_HSION;
    while (!(RCC_CR & RCC_CR_HSIRDY)) {
    }

    FLASH_ACR = (FLASH_ACR & ~FLASH_ACR_LATENCY_MASK) | FLASH_ACR_LATENCY_5WS |
                FLASH_ACR_PRFTEN | FLASH_ACR_ICEN | FLASH_ACR_DCEN;
    while ((FLASH_ACR & FLASH_ACR_LATENCY_MASK) != FLASH_ACR_LATENCY_5WS) {
    }

    RCC_CR &= ~RCC_CR_PLLON;
    while (RCC_CR & RCC_CR_PLLRDY) {
    }
    /* 16 MHz / M1 * N15 = 240 MHz VCO, / R2 = 120 MHz. */
    RCC_PLLCFGR = RCC_PLLCFGR_SRC_HSI16 | RCC_PLLCFGR_M(1u) | RCC_PLLCFGR_N(15u) |
                  RCC_PLLCFGR_R_DIV2 | RCC_PLLCFGR_REN;
    RCC_CR |= RCC_CR_PLLON;
    while (!(RCC_CR & RCC_CR_PLLRDY)) {
    }

    /* Switch through AHB/2, hold >= 1 us, then AHB/1. */
    RCC_CFGR = (RCC_CFGR & ~RCC_CFGR_HPRE_MASK) | RCC_CFGR_HPRE_DIV2;
    RCC_CFGR = (RCC_CFGR & ~RCC_CFGR_SW_MASK) | RCC_CFGR_SW_PLL;
    while ((RCC_CFGR & RCC_CFGR_SWS_MASK) != RCC_CFGR_SWS_PLL) {
    }
    delay_cycles(200u); /* > 1 us at 60 MHz */
    RCC_CFGR &= ~RCC_CFGR_HPRE_MASK;
}

static void uart_init(void)
{
    PWR_CR2 |= PWR_CR2_IOSV; /* PG[15:2] are powered from VDDIO2 */
    RCC_AHB2ENR |= RCC_AHB2ENR_GPIOG;
    RCC_APB1ENR2 |= RCC_APB1ENR2_LPUART1;
    (void)RCC_APB1ENR2;
    RCC_CCIPR = (RCC_CCIPR & ~RCC_CCIPR_LPUART1SEL_MASK) | RCC_CCIPR_LPUART1SEL_HSI16;

    /* PG7, PG8: alternate function 8, high speed. */
    GPIOG_MODER = (GPIOG_MODER & ~((0x3u << 14) | (0x3u << 16))) | (0x2u << 14) | (0x2u << 16);
    GPIOG_OSPEEDR |= (0x3u << 14) | (0x3u << 16);
    GPIOG_AFRL = (GPIOG_AFRL & ~(0xFu << 28)) | (0x8u << 28);
    GPIOG_AFRH = (GPIOG_AFRH & ~0xFu) | 0x8u;

    LPUART1_CR1 = 0u;
    /* LPUART: BRR = 256 * f_ck / baud, rounded. */
    LPUART1_BRR = (uint32_t)((256ull * 16000000ull + CM_NUCLEO_BAUD / 2u) / CM_NUCLEO_BAUD);
    LPUART1_CR1 = USART_CR1_TE | USART_CR1_RE | USART_CR1_UE;
}

static void dwt_init(void)
{
    CM_DEMCR |= (1u << 24); /* TRCENA */
    CM_DWT_CYCCNT = 0u;
    CM_DWT_CTRL |= 1u;      /* CYCCNTENA */
}

void cm_board_init(void)
{
    clock_init();
    uart_init();
    dwt_init();
    count_last = 0u;
    count_high = 0u;
}

void cm_board_putc(uint8_t c)
{
    while (!(LPUART1_ISR & USART_ISR_TXE)) {
    }
    LPUART1_TDR = c;
}

int cm_board_getc(void)
{
    uint32_t isr = LPUART1_ISR;
    if (isr & USART_ISR_ORE)
        LPUART1_ICR = USART_ICR_ORECF; /* the link's CRC/retransmit recovers */
    if (!(isr & USART_ISR_RXNE))
        return -1;
    return (int)(LPUART1_RDR & 0xFFu);
}

void cm_board_wait_input(void)
{
    /* Polling: at 115200 baud a byte takes ~87 us, far above the poll. */
}

uint64_t cm_board_count(void)
{
    uint32_t now = CM_DWT_CYCCNT;
    if (now < count_last)
        count_high++;
    count_last = now;
    return ((uint64_t)count_high << 32) | now;
}

uint64_t cm_board_count_exact(void)
{
    return cm_board_count(); /* DWT CYCCNT counts every cycle */
}

void cm_board_clock_source(uint32_t *addr, uint32_t *per_tick, int *down)
{
    *addr = (uint32_t)(uintptr_t)&CM_DWT_CYCCNT;
    *per_tick = 1u;
    *down = 0;
}

uint32_t cm_board_counts_per_ms(void)
{
    return CM_NUCLEO_HCLK_HZ / 1000u;
}

void cm_board_reset(void)
{
    cm_dsb_isb();
    CM_SCB_AIRCR = CM_AIRCR_VECTKEY | CM_AIRCR_SYSRESETREQ;
    cm_dsb_isb();
    for (;;) {
    }
}
