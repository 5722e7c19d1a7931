//! Styles from a palette: dark (the default), light or high-contrast, each colour overridable in
//! `config.toml`. Without colour (NO_COLOR, which wins over any theme), emphasis falls back to
//! bold, reverse and underline.

use ratatui::style::{Color, Modifier, Style};

/// The colours a theme is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Palette {
    /// Titles, focused borders, the active tab, JSON keys.
    pub accent: Color,
    pub dim: Color,
    /// The focused field's label.
    pub focus: Color,
    pub error: Color,
    pub warning: Color,
    pub success: Color,
    /// The background of text inputs.
    pub input: Color,
    /// Text on the accent (the active tab).
    pub on_accent: Color,
}

/// The built-in themes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ThemeName {
    #[default]
    Dark,
    Light,
    HighContrast,
}

impl ThemeName {
    pub const ALL: [(&'static str, ThemeName); 3] = [
        ("dark", ThemeName::Dark),
        ("light", ThemeName::Light),
        ("high-contrast", ThemeName::HighContrast),
    ];

    pub fn palette(self) -> Palette {
        match self {
            ThemeName::Dark => Palette {
                accent: Color::Cyan,
                dim: Color::DarkGray,
                focus: Color::Yellow,
                error: Color::Red,
                warning: Color::Yellow,
                success: Color::Green,
                input: Color::Rgb(40, 40, 48),
                on_accent: Color::Black,
            },
            ThemeName::Light => Palette {
                accent: Color::Rgb(0, 95, 175),
                dim: Color::Rgb(110, 110, 110),
                focus: Color::Rgb(175, 95, 0),
                error: Color::Rgb(175, 0, 0),
                warning: Color::Rgb(135, 95, 0),
                success: Color::Rgb(0, 125, 0),
                input: Color::Rgb(228, 228, 236),
                on_accent: Color::White,
            },
            ThemeName::HighContrast => Palette {
                accent: Color::LightCyan,
                dim: Color::Gray,
                focus: Color::LightYellow,
                error: Color::LightRed,
                warning: Color::LightYellow,
                success: Color::LightGreen,
                input: Color::Black,
                on_accent: Color::Black,
            },
        }
    }
}

/// A theme as `config.toml` chose it: a name, and colours over it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ThemeChoice {
    pub name: ThemeName,
    pub overrides: [Option<Color>; 8],
}

impl ThemeChoice {
    /// The colours `[theme]` can set, in `Palette`'s order.
    pub const SLOTS: [&'static str; 8] = [
        "accent",
        "dim",
        "focus",
        "error",
        "warning",
        "success",
        "input",
        "on-accent",
    ];

    pub fn palette(&self) -> Palette {
        let mut p = self.name.palette();
        let slots = [
            &mut p.accent,
            &mut p.dim,
            &mut p.focus,
            &mut p.error,
            &mut p.warning,
            &mut p.success,
            &mut p.input,
            &mut p.on_accent,
        ];
        for (slot, over) in slots.into_iter().zip(self.overrides) {
            if let Some(c) = over {
                *slot = c;
            }
        }
        p
    }
}

const NAMED: [(&str, Color); 16] = [
    ("black", Color::Black),
    ("red", Color::Red),
    ("green", Color::Green),
    ("yellow", Color::Yellow),
    ("blue", Color::Blue),
    ("magenta", Color::Magenta),
    ("cyan", Color::Cyan),
    ("gray", Color::Gray),
    ("dark-gray", Color::DarkGray),
    ("light-red", Color::LightRed),
    ("light-green", Color::LightGreen),
    ("light-yellow", Color::LightYellow),
    ("light-blue", Color::LightBlue),
    ("light-magenta", Color::LightMagenta),
    ("light-cyan", Color::LightCyan),
    ("white", Color::White),
];

/// A colour as `config.toml` writes it: `#d75f00`, or one of the terminal's sixteen by name.
pub fn color_name(color: Color) -> String {
    match color {
        Color::Rgb(r, g, b) => format!("#{r:02x}{g:02x}{b:02x}"),
        other => NAMED.iter().find(|(_, c)| *c == other).map_or_else(
            || format!("{other:?}").to_lowercase(),
            |(n, _)| (*n).to_owned(),
        ),
    }
}

/// `#d75f00` or `light-cyan` as a colour.
pub fn parse_color(text: &str) -> Option<Color> {
    if let Some((_, c)) = NAMED.iter().find(|(n, _)| *n == text) {
        return Some(*c);
    }
    let hex = text.strip_prefix('#')?;
    if hex.len() != 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    Some(Color::Rgb(byte(0)?, byte(2)?, byte(4)?))
}

#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub color: bool,
    pub palette: Palette,
}

impl Default for Theme {
    fn default() -> Self {
        Self::new(true)
    }
}

impl Theme {
    /// The default (dark) theme, in colour or not.
    pub fn new(color: bool) -> Self {
        Self {
            color,
            palette: ThemeName::Dark.palette(),
        }
    }

    fn fg(self, c: Color) -> Style {
        if self.color {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    }

    pub fn title(self) -> Style {
        self.fg(self.palette.accent).add_modifier(Modifier::BOLD)
    }
    pub fn dim(self) -> Style {
        if self.color {
            Style::new().fg(self.palette.dim)
        } else {
            Style::new()
        }
    }
    pub fn label(self) -> Style {
        Style::new()
    }
    pub fn focused_label(self) -> Style {
        self.fg(self.palette.focus).add_modifier(Modifier::BOLD)
    }
    pub fn required(self) -> Style {
        self.fg(self.palette.error)
    }
    pub fn input(self) -> Style {
        if self.color {
            Style::new().bg(self.palette.input)
        } else {
            Style::new().add_modifier(Modifier::UNDERLINED)
        }
    }
    pub fn error(self) -> Style {
        self.fg(self.palette.error)
    }
    pub fn warning(self) -> Style {
        self.fg(self.palette.warning)
    }
    pub fn success(self) -> Style {
        self.fg(self.palette.success)
    }
    pub fn selected(self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }
    pub fn active_tab(self) -> Style {
        if self.color {
            Style::new()
                .fg(self.palette.on_accent)
                .bg(self.palette.accent)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        }
    }
    pub fn border(self, focused: bool) -> Style {
        if focused {
            self.fg(self.palette.accent)
        } else {
            self.dim()
        }
    }
    pub fn status(self, code: Option<u16>) -> Style {
        match code {
            Some(200..=299) => self.success(),
            Some(400..=499) => self.warning(),
            _ => self.error(),
        }
        .add_modifier(Modifier::BOLD)
    }
    /// Scores from red to green, as the official widget colours its faces.
    pub fn score(self, score: u8) -> Style {
        let c = match score {
            1 => Color::Red,
            2 => Color::LightRed,
            3 => Color::Yellow,
            4 => Color::LightGreen,
            _ => Color::Green,
        };
        self.fg(c)
    }
    pub fn json(self, kind: crate::highlight::Kind) -> Style {
        use crate::highlight::Kind;
        match kind {
            Kind::Key => self.fg(self.palette.accent),
            Kind::String => self.fg(Color::Green),
            Kind::Number => self.fg(Color::Yellow),
            Kind::Literal => self.fg(Color::Magenta),
            _ => Style::new(),
        }
    }
}
