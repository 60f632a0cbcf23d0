//! A one-line text field: insert, delete, move, with the cursor kept on a character
//! boundary. Pure data; the views draw it.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// The text and cursor of a field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextInput {
    text: String,
    /// Cursor position in characters.
    cursor: usize,
}

impl TextInput {
    /// A field holding `text`, cursor at the end.
    pub fn with_text(text: &str) -> TextInput {
        TextInput {
            text: text.to_string(),
            cursor: text.chars().count(),
        }
    }

    /// The text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The cursor, in characters from the start.
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    /// Whether the field is empty (ignoring spaces).
    pub fn is_blank(&self) -> bool {
        self.text.trim().is_empty()
    }

    fn byte_index(&self, chars: usize) -> usize {
        self.text
            .char_indices()
            .nth(chars)
            .map_or(self.text.len(), |(i, _)| i)
    }

    /// Applies an editing key; returns whether the key was one.
    pub fn handle(&mut self, key: &KeyEvent) -> bool {
        let len = self.text.chars().count();
        match key.code {
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.text.clear();
                self.cursor = 0;
            }
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                let at = self.byte_index(self.cursor);
                self.text.insert(at, c);
                self.cursor += 1;
            }
            KeyCode::Backspace if self.cursor > 0 => {
                self.cursor -= 1;
                let at = self.byte_index(self.cursor);
                self.text.remove(at);
            }
            KeyCode::Delete if self.cursor < len => {
                let at = self.byte_index(self.cursor);
                self.text.remove(at);
            }
            KeyCode::Left => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Right => self.cursor = (self.cursor + 1).min(len),
            KeyCode::Home => self.cursor = 0,
            KeyCode::End => self.cursor = len,
            KeyCode::Backspace | KeyCode::Delete => {}
            _ => return false,
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn edits_in_the_middle_of_multibyte_text() {
        let mut input = TextInput::default();
        for c in "héllo".chars() {
            input.handle(&key(KeyCode::Char(c)));
        }
        input.handle(&key(KeyCode::Left));
        input.handle(&key(KeyCode::Left));
        input.handle(&key(KeyCode::Backspace));
        input.handle(&key(KeyCode::Char('L')));
        assert_eq!(input.text(), "héLlo");
        assert_eq!(input.cursor(), 3);
        input.handle(&key(KeyCode::Home));
        input.handle(&key(KeyCode::Delete));
        assert_eq!(input.text(), "éLlo");
        assert!(!input.handle(&key(KeyCode::Enter)));
        input.handle(&KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
        assert!(input.is_blank());
    }
}
