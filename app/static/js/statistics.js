// The statistics page's charts (Chart.js, served from /static/vendor/chartjs): the figures are
// embedded in the page as JSON, so the numbers and tables show without this script.
import { gettext } from "./i18n.js";

const figures = JSON.parse(document.getElementById("statistics-data").textContent);
const names = Object.fromEntries(figures.categories.map((c) => [c.id, c.name]));
const palette = ["#1f6feb", "#d1242f", "#1a7f37", "#9a6700", "#8250df", "#bf3989", "#0a7ea4", "#57606a"];

function volumeChart() {
  const periods = [...new Set(figures.requests_by_category.map((row) => row.period))].sort();
  const categoryIds = [...new Set(figures.requests_by_category.map((row) => row.category_id))];
  const datasets = categoryIds.map((id, index) => ({
    label: names[id] || `#${id}`,
    backgroundColor: palette[index % palette.length],
    data: periods.map((period) => {
      const row = figures.requests_by_category.find((r) => r.period === period && r.category_id === id);
      return row ? row.count : 0;
    }),
  }));
  new window.Chart(document.getElementById("chart-volume"), {
    type: "bar",
    data: { labels: periods, datasets },
    options: { responsive: true, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } },
  });
}

function mediansChart() {
  const hours = (rows, id) => {
    const row = rows.find((r) => r.category_id === id);
    return row && row.median_seconds !== null ? row.median_seconds / 3600 : null;
  };
  const ids = figures.categories.map((c) => c.id);
  new window.Chart(document.getElementById("chart-medians"), {
    type: "bar",
    data: {
      labels: ids.map((id) => names[id]),
      datasets: [
        { label: gettext("Hours to acknowledge"), backgroundColor: palette[0], data: ids.map((id) => hours(figures.time_to_acknowledge.by_category, id)) },
        { label: gettext("Hours to close"), backgroundColor: palette[2], data: ids.map((id) => hours(figures.time_to_close.by_category, id)) },
      ],
    },
    options: { responsive: true, scales: { y: { beginAtZero: true } } },
  });
}

if (window.Chart) {
  volumeChart();
  mediansChart();
}
