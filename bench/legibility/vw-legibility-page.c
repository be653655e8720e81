/* vw-legibility-page: renders the test page of the legibility benchmark.
 *
 *   vw-legibility-page [--dpi 200] --output page.png --truth page.txt
 *
 * One A4 page as a clerk lays it under the document camera (高拍仪): the copy
 * of a business licence (营业执照（副本）) over a filled-in application form
 * (企业设立登记申请表), mixed Chinese and Latin text at normal print size
 * (10.5 pt = 五号 for the printed labels, 12 pt = 小四 for the filled-in
 * values), plus its ground truth: the text of every printed line, one line
 * per line of the page, top to bottom, the pieces of a line left to right
 * separated by a space.
 *
 * The output is the same, byte for byte, on every run: the fonts are loaded
 * from fixed files of Debian's packages (fonts-noto-cjk, fonts-dejavu-core)
 * through a private fontconfig configuration, so neither the user's font
 * settings nor other installed fonts change the page; glyphs are neither
 * hinted nor rounded to pixels, so the line breaks (and so the ground truth)
 * do not depend on --dpi either.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <locale.h>
#include <glib.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <pango/pangocairo.h>
#include <pango/pangofc-fontmap.h>

#define MM (72.0 / 25.4)          /* points per millimetre */
#define PAGE_W (210.0 * MM)       /* A4 */
#define PAGE_H (297.0 * MM)
#define MARGIN (20.0 * MM)
#define TEXT_W (PAGE_W - 2 * MARGIN)

/* Printed text: 宋体-like serif for Chinese, a serif for Latin.  Filled-in
 * values: 黑体-like sans.  Pango takes each character from the first family
 * that has it, so Latin comes from DejaVu and Chinese from Noto CJK. */
#define SERIF "DejaVu Serif, Noto Serif CJK SC"
#define SANS "DejaVu Sans, Noto Sans CJK SC"
#define LABEL_FONT SERIF " 10.5"
#define VALUE_FONT SANS " 12"
#define LINE_SPACING 1.3      /* within a wrapped value or paragraph */

static const char *const font_files[] = {
  "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
  "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc",
  "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
  "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
  "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
  "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf",
  "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
  "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
};

typedef struct {
  double baseline;   /* points from the top of the page */
  double x;
  char *text;
} PrintedLine;

typedef struct {
  cairo_t *cr;
  PangoContext *pango;
  GArray *lines;     /* PrintedLine */
  double right, bottom;   /* how far the text reaches, points */
} Page;

static void
printed_line_clear (gpointer p)
{
  g_free (((PrintedLine *) p)->text);
}

/* Draws @text with its first baseline at @baseline, wrapped at @width (no
 * wrapping if <= 0), and records each of its lines.  Returns the baseline of
 * its last line. */
static double
put_text (Page *pg, double x, double baseline, double width, const char *font,
    PangoAlignment align, gboolean justify, double spacing, const char *text)
{
  g_autoptr (PangoLayout) layout = pango_layout_new (pg->pango);
  PangoFontDescription *desc = pango_font_description_from_string (font);
  pango_layout_set_font_description (layout, desc);
  pango_font_description_free (desc);
  if (width > 0) {
    pango_layout_set_width (layout, (int) (width * PANGO_SCALE));
    pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  }
  pango_layout_set_alignment (layout, align);
  pango_layout_set_justify (layout, justify);
  if (spacing > 0)
    pango_layout_set_line_spacing (layout, spacing);
  pango_layout_set_text (layout, text, -1);

  double top = baseline - pango_layout_get_baseline (layout) / (double) PANGO_SCALE;
  cairo_move_to (pg->cr, x, top);
  pango_cairo_show_layout (pg->cr, layout);

  double last = baseline;
  PangoLayoutIter *iter = pango_layout_get_iter (layout);
  do {
    PangoLayoutLine *line = pango_layout_iter_get_line_readonly (iter);
    PangoRectangle ink, logical;
    pango_layout_iter_get_line_extents (iter, &ink, &logical);
    g_autofree char *piece = g_strndup (text + line->start_index, line->length);
    g_strstrip (piece);
    last = top + pango_layout_iter_get_baseline (iter) / (double) PANGO_SCALE;
    pg->right = MAX (pg->right, x + (ink.x + ink.width) / (double) PANGO_SCALE);
    pg->bottom = MAX (pg->bottom, top + (ink.y + ink.height) / (double) PANGO_SCALE);
    if (*piece) {
      PrintedLine pl = { last, x + logical.x / (double) PANGO_SCALE,
                         g_steal_pointer (&piece) };
      g_array_append_val (pg->lines, pl);
    }
  } while (pango_layout_iter_next_line (iter));
  pango_layout_iter_free (iter);
  return last;
}

static double
put (Page *pg, double x, double baseline, const char *font, const char *text)
{
  return put_text (pg, x, baseline, 0, font, PANGO_ALIGN_LEFT, FALSE, 0, text);
}

static void
put_centered (Page *pg, double baseline, const char *font, const char *text)
{
  put_text (pg, MARGIN, baseline, TEXT_W, font, PANGO_ALIGN_CENTER, FALSE, 0, text);
}

static void
rule (Page *pg, double x, double y, double w, double thickness)
{
  cairo_rectangle (pg->cr, x, y - thickness / 2, w, thickness);
  cairo_fill (pg->cr);
}

/* "label  value" with the value wrapped in its column.  Returns the baseline
 * of the value's last line. */
static double
field (Page *pg, double x, double label_w, double value_w, double baseline,
    const char *label, const char *value)
{
  put (pg, x, baseline, LABEL_FONT, label);
  return put_text (pg, x + label_w, baseline, value_w, VALUE_FONT,
      PANGO_ALIGN_LEFT, FALSE, LINE_SPACING, value);
}

/* The copy of a business licence: the upper part of the page. */
static double
licence (Page *pg, double y)
{
  const double label_w = 34 * MM, value_w = TEXT_W - label_w - 8 * MM;
  const double x = MARGIN + 4 * MM, line = 6.8 * MM;

  put_centered (pg, y, "Noto Sans CJK SC Bold 22", "营业执照");
  y += 9 * MM;
  put_centered (pg, y, SERIF " 12", "（副　　本）");
  y += 10 * MM;
  put (pg, x, y, LABEL_FONT, "统一社会信用代码");
  put (pg, x + 34 * MM, y, VALUE_FONT, "91310101MA1FPX1234");
  put (pg, MARGIN + 93 * MM, y, LABEL_FONT, "证照编号");
  put (pg, MARGIN + 110 * MM, y, VALUE_FONT, "01000000202103150087");
  y += line + 2 * MM;

  static const char *const rows[][2] = {
    { "名　　称", "上海某某科技有限公司" },
    { "类　　型", "有限责任公司（自然人投资或控股）" },
    { "法定代表人", "王建国" },
    { "经营范围", "一般项目：从事信息科技、软件科技领域内的技术开发、技术咨询、"
      "技术服务、技术转让；软件开发；信息系统集成服务；数据处理服务；"
      "计算机系统服务；办公设备销售；电子产品销售。（除依法须经批准的项目外，"
      "凭营业执照依法自主开展经营活动）" },
    { "注册资本", "人民币500.0000万元整" },
    { "成立日期", "2021年03月15日" },
    { "营业期限", "2021年03月15日 至 2051年03月14日" },
    { "住　　所", "上海市黄浦区南京东路300号12层1205室" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    y = field (pg, x, label_w, value_w, y, rows[i][0], rows[i][1]) + line;

  put (pg, MARGIN + 92 * MM, y, LABEL_FONT, "登记机关");
  put (pg, MARGIN + 109 * MM, y, VALUE_FONT, "上海市黄浦区市场监督管理局");
  y += line;
  put (pg, MARGIN + 109 * MM, y, VALUE_FONT, "2023年06月08日");
  y += 6 * MM;
  put (pg, x, y, SERIF " 10.5",
      "国家企业信用信息公示系统网址：http://www.gsxt.gov.cn");
  y += 4 * MM;

  /* The licence's frame. */
  cairo_set_line_width (pg->cr, 0.8);
  cairo_rectangle (pg->cr, MARGIN, MARGIN - 8 * MM, TEXT_W, y - MARGIN + 8 * MM);
  cairo_stroke (pg->cr);
  return y;
}

/* A filled-in application form: the lower part of the page. */
static double
form (Page *pg, double y)
{
  const double x = MARGIN, line = 6.6 * MM;
  const double col2 = MARGIN + TEXT_W / 2 + 2 * MM;

  put_centered (pg, y, "Noto Sans CJK SC Bold 16", "企业设立登记申请表");
  y += 8 * MM;
  put (pg, x, y, LABEL_FONT, "申请编号");
  put (pg, x + 17 * MM, y, VALUE_FONT, "SH-2024-1021-00872");
  put (pg, col2, y, LABEL_FONT, "申请日期");
  put (pg, col2 + 17 * MM, y, VALUE_FONT, "2024年10月21日");
  y += 3 * MM;
  rule (pg, x, y, TEXT_W, 0.6);
  y += line;

  put (pg, x, y, SERIF " Bold 10.5", "一、企业基本信息");
  y += line;
  static const char *const pairs[][4] = {
    { "企业名称", "上海某某科技有限公司", "英文名称", "Shanghai Moumou Technology Co., Ltd." },
    { "注册资本", "500 万元（人民币）", "出资方式", "货币" },
    { "联系电话", "021-6321 8856", "邮政编码", "200001" },
    { "电子邮箱", "lihua@moumou-tech.com.cn", "从业人数", "12 人" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (pairs); i++) {
    double a = field (pg, x, 17 * MM, TEXT_W / 2 - 19 * MM, y, pairs[i][0], pairs[i][1]);
    double b = field (pg, col2, 17 * MM, TEXT_W / 2 - 19 * MM, y, pairs[i][2], pairs[i][3]);
    y = MAX (a, b) + line;
  }
  y = field (pg, x, 17 * MM, TEXT_W - 17 * MM, y, "住　　所",
      "上海市黄浦区南京东路300号12层1205室（名义楼层，实际楼层11层）") + line;
  y = field (pg, x, 17 * MM, TEXT_W - 17 * MM, y, "经营范围",
      "技术开发、技术咨询、技术服务；软件开发；信息系统集成服务；"
      "数据处理服务（详见章程，以登记机关核定为准）") + line;

  put (pg, x, y, SERIF " Bold 10.5", "二、法定代表人及联络员信息");
  y += line;
  static const char *const people[][4] = {
    { "法定代表人", "王建国", "证件号码", "31010119800101001X" },
    { "联 络 员", "李华", "移动电话", "138 1765 4321" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (people); i++) {
    double a = field (pg, x, 20 * MM, TEXT_W / 2 - 22 * MM, y, people[i][0], people[i][1]);
    double b = field (pg, col2, 17 * MM, TEXT_W / 2 - 19 * MM, y, people[i][2], people[i][3]);
    y = MAX (a, b) + line;
  }
  y -= 2 * MM;
  rule (pg, x, y, TEXT_W, 0.6);
  y += line;
  y = put_text (pg, x, y, TEXT_W, LABEL_FONT, PANGO_ALIGN_LEFT, TRUE, LINE_SPACING,
      "本企业承诺：所提交的文件、证件真实、有效、合法，复印件与原件一致，"
      "并对因提交虚假文件、证件所引发的一切后果承担相应的法律责任。") + line;
  put (pg, x + TEXT_W / 2 - 40 * MM, y, LABEL_FONT, "申请人签字：");
  put (pg, x + TEXT_W / 2 - 16 * MM, y, VALUE_FONT, "王建国");
  put (pg, col2 + 10 * MM, y, LABEL_FONT, "日期：");
  put (pg, col2 + 22 * MM, y, VALUE_FONT, "2024年10月21日");
  y += line;
  put (pg, x, y, SERIF " 10.5", "Form QY-01 (2023 edition), page 1 of 2");
  put (pg, col2 + 10 * MM, y, SERIF " 10.5", "第 1 页，共 2 页");
  return y;
}

static int
compare_lines (gconstpointer a, gconstpointer b)
{
  const PrintedLine *x = a, *y = b;
  /* Lines of one row share a baseline up to rounding. */
  double dy = x->baseline - y->baseline;
  if (fabs (dy) > 0.5)
    return dy < 0 ? -1 : 1;
  return (x->x > y->x) - (x->x < y->x);
}

static gboolean
write_truth (Page *pg, const char *path, guint *n_lines, guint *n_chars, GError **error)
{
  g_array_sort (pg->lines, compare_lines);
  g_autoptr (GString) out = g_string_new (NULL);
  *n_lines = *n_chars = 0;
  for (guint i = 0; i < pg->lines->len; i++) {
    PrintedLine *pl = &g_array_index (pg->lines, PrintedLine, i);
    if (i > 0) {
      PrintedLine *prev = &g_array_index (pg->lines, PrintedLine, i - 1);
      g_string_append_c (out, fabs (pl->baseline - prev->baseline) > 0.5 ? '\n' : ' ');
    }
    if (i == 0 || fabs (pl->baseline - g_array_index (pg->lines, PrintedLine, i - 1).baseline) > 0.5)
      (*n_lines)++;
    g_string_append (out, pl->text);
    for (const char *p = pl->text; *p; p = g_utf8_next_char (p))
      *n_chars += !g_unichar_isspace (g_utf8_get_char (p));
  }
  g_string_append_c (out, '\n');
  return g_file_set_contents (path, out->str, out->len, error);
}

static FcConfig *
load_fonts (GError **error)
{
  FcConfig *fc = FcConfigCreate ();
  for (guint i = 0; i < G_N_ELEMENTS (font_files); i++) {
    if (!FcConfigAppFontAddFile (fc, (const FcChar8 *) font_files[i])) {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
          "cannot load font %s (Debian packages fonts-noto-cjk and fonts-dejavu-core)",
          font_files[i]);
      FcConfigDestroy (fc);
      return NULL;
    }
  }
  return fc;
}

int
main (int argc, char **argv)
{
  double dpi = 200;
  g_autofree char *output = NULL, *truth = NULL;
  GOptionEntry entries[] = {
    { "dpi", 0, 0, G_OPTION_ARG_DOUBLE, &dpi, "Resolution (default 200: 1654x2339; 300: 2480x3508)", "DPI" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "The page, PNG", "FILE" },
    { "truth", 't', 0, G_OPTION_ARG_FILENAME, &truth, "Its text, UTF-8, one line per printed line", "FILE" },
    { NULL }
  };
  g_autoptr (GError) error = NULL;
  setlocale (LC_ALL, "");
  setlocale (LC_NUMERIC, "C");
  g_autoptr (GOptionContext) ctx = g_option_context_new (
      "- render the test page of the legibility benchmark");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error) || argc > 1) {
    g_printerr ("vw-legibility-page: %s\n", error ? error->message : "unexpected arguments");
    return 2;
  }
  if (!output || !truth || dpi < 50 || dpi > 1200) {
    g_printerr ("vw-legibility-page: --output and --truth are required, --dpi 50..1200\n");
    return 2;
  }

  FcConfig *fc = load_fonts (&error);
  if (!fc) {
    g_printerr ("vw-legibility-page: %s\n", error->message);
    return 1;
  }
  int width = (int) lround (210.0 / 25.4 * dpi), height = (int) lround (297.0 / 25.4 * dpi);
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  cairo_t *cr = cairo_create (surface);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_scale (cr, dpi / 72.0, dpi / 72.0);   /* user units: points */
  cairo_set_source_rgb (cr, 0, 0, 0);

  PangoFontMap *fontmap = pango_cairo_font_map_new_for_font_type (CAIRO_FONT_TYPE_FT);
  pango_fc_font_map_set_config (PANGO_FC_FONT_MAP (fontmap), fc);
  FcConfigDestroy (fc);   /* the font map holds a reference */
  PangoContext *pango = pango_font_map_create_context (fontmap);
  pango_cairo_context_set_resolution (pango, 72);   /* sizes in points */
  cairo_font_options_t *options = cairo_font_options_create ();
  cairo_font_options_set_antialias (options, CAIRO_ANTIALIAS_GRAY);
  cairo_font_options_set_hint_style (options, CAIRO_HINT_STYLE_NONE);
  cairo_font_options_set_hint_metrics (options, CAIRO_HINT_METRICS_OFF);
  pango_cairo_context_set_font_options (pango, options);
  cairo_font_options_destroy (options);
  pango_context_set_round_glyph_positions (pango, FALSE);
  pango_context_set_language (pango, pango_language_from_string ("zh-cn"));
  pango_cairo_update_context (cr, pango);

  Page pg = { cr, pango, g_array_new (FALSE, FALSE, sizeof (PrintedLine)), 0, 0 };
  g_array_set_clear_func (pg.lines, printed_line_clear);
  double y = licence (&pg, MARGIN + 4 * MM);
  form (&pg, y + 10 * MM);
  /* A layout bug, not a user error: text off the paper would be in the
   * ground truth but not on the page. */
  if (pg.right > PAGE_W - MARGIN + 0.5 || pg.bottom > PAGE_H - MARGIN * 0.75) {
    g_printerr ("vw-legibility-page: text reaches %.1f mm right, %.1f mm down, "
        "beyond the margins of A4\n", pg.right / MM, pg.bottom / MM);
    return 1;
  }

  cairo_surface_flush (surface);
  cairo_status_t status = cairo_surface_write_to_png (surface, output);
  guint n_lines = 0, n_chars = 0;
  int ret = 0;
  if (status != CAIRO_STATUS_SUCCESS) {
    g_printerr ("vw-legibility-page: cannot write %s: %s\n", output,
        cairo_status_to_string (status));
    ret = 1;
  } else if (!write_truth (&pg, truth, &n_lines, &n_chars, &error)) {
    g_printerr ("vw-legibility-page: %s\n", error->message);
    ret = 1;
  } else {
    printf ("%s: %dx%d (A4 at %g dpi), %u lines, %u characters without spaces\n",
        output, width, height, dpi, n_lines, n_chars);
  }

  g_array_unref (pg.lines);
  g_object_unref (pango);
  g_object_unref (fontmap);
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
  return ret;
}
