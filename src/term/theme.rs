//! Styles. Without colour (NO_COLOR), emphasis falls back to bold, reverse and underline.

use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    fn fg(self, c: Color) -> Style {
        if self.color {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    }

    pub fn title(self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }
    pub fn dim(self) -> Style {
        if self.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new()
        }
    }
    pub fn label(self) -> Style {
        Style::new()
    }
    pub fn focused_label(self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }
    pub fn required(self) -> Style {
        self.fg(Color::Red)
    }
    pub fn input(self) -> Style {
        if self.color {
            Style::new().bg(Color::Rgb(40, 40, 48))
        } else {
            Style::new().add_modifier(Modifier::UNDERLINED)
        }
    }
    pub fn error(self) -> Style {
        self.fg(Color::Red)
    }
    pub fn warning(self) -> Style {
        self.fg(Color::Yellow)
    }
    pub fn success(self) -> Style {
        self.fg(Color::Green)
    }
    pub fn selected(self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }
    pub fn active_tab(self) -> Style {
        if self.color {
            Style::new()
                .fg(Color::Black)
                .bg(Color::Cyan)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        }
    }
    pub fn border(self, focused: bool) -> Style {
        if focused {
            self.fg(Color::Cyan)
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
            Kind::Key => self.fg(Color::Cyan),
            Kind::String => self.fg(Color::Green),
            Kind::Number => self.fg(Color::Yellow),
            Kind::Literal => self.fg(Color::Magenta),
            _ => Style::new(),
        }
    }
}
