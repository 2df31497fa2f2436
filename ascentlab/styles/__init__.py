"""Matplotlib styles shipped with ascentlab: `plt.style.use("ascentlab.styles.lecture")` or
`"ascentlab.styles.paper"`. Both use the Okabe-Ito colour-blind-safe palette."""
