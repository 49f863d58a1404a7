#include "stateicon.h"

#include <QHash>
#include <QPainter>
#include <QPainterPath>
#include <QPixmap>

namespace lockscope {

namespace {

QColor colourOf(RowState state)
{
    switch (state) {
    case RowState::Held:
        return QColor(0x2e, 0x7d, 0x32); // green
    case RowState::Stale:
        return QColor(0xc6, 0x28, 0x28); // red
    case RowState::Expired:
        return QColor(0xe6, 0x51, 0x00); // orange
    case RowState::Busy:
        return QColor(0xb2, 0x8a, 0x00); // amber
    case RowState::Unverifiable:
        return QColor(0x6a, 0x1b, 0x9a); // purple
    case RowState::InTransition:
        return QColor(0x15, 0x65, 0xc0); // blue
    case RowState::NotALock:
    case RowState::Idle:
        return QColor(0x75, 0x75, 0x75); // grey
    }
    return Qt::gray;
}

void drawGlyph(QPainter &p, RowState state, const QRectF &r)
{
    QPen pen(Qt::white, r.width() * 0.13, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin);
    p.setPen(pen);
    p.setBrush(Qt::NoBrush);
    const qreal l = r.left(), t = r.top(), w = r.width(), h = r.height();
    auto at = [&](qreal x, qreal y) {
        return QPointF(l + x * w, t + y * h);
    };
    switch (state) {
    case RowState::Held: { // a closed padlock shackle over a bar
        p.drawArc(QRectF(at(0.33, 0.2), at(0.67, 0.55)), 0, 180 * 16);
        p.drawLine(at(0.33, 0.38), at(0.33, 0.5));
        p.drawLine(at(0.67, 0.38), at(0.67, 0.5));
        p.setBrush(Qt::white);
        p.drawRect(QRectF(at(0.27, 0.5), at(0.73, 0.78)));
        break;
    }
    case RowState::Stale: // a cross
        p.drawLine(at(0.3, 0.3), at(0.7, 0.7));
        p.drawLine(at(0.7, 0.3), at(0.3, 0.7));
        break;
    case RowState::Expired: // a clock
        p.drawEllipse(QRectF(at(0.25, 0.25), at(0.75, 0.75)));
        p.drawLine(at(0.5, 0.5), at(0.5, 0.33));
        p.drawLine(at(0.5, 0.5), at(0.63, 0.55));
        break;
    case RowState::Busy: // an exclamation mark
        p.drawLine(at(0.5, 0.25), at(0.5, 0.58));
        p.drawPoint(at(0.5, 0.74));
        break;
    case RowState::Unverifiable: { // a question mark
        QPainterPath path;
        path.moveTo(at(0.36, 0.36));
        path.cubicTo(at(0.36, 0.18), at(0.66, 0.18), at(0.64, 0.38));
        path.cubicTo(at(0.62, 0.5), at(0.5, 0.48), at(0.5, 0.6));
        p.drawPath(path);
        p.drawPoint(at(0.5, 0.76));
        break;
    }
    case RowState::InTransition: // two arrows
        p.drawLine(at(0.28, 0.4), at(0.72, 0.4));
        p.drawLine(at(0.6, 0.3), at(0.72, 0.4));
        p.drawLine(at(0.28, 0.6), at(0.72, 0.6));
        p.drawLine(at(0.28, 0.6), at(0.4, 0.7));
        break;
    case RowState::NotALock: // a dash
        p.drawLine(at(0.3, 0.5), at(0.7, 0.5));
        break;
    case RowState::Idle: // a hollow dot
        p.drawEllipse(QRectF(at(0.38, 0.38), at(0.62, 0.62)));
        break;
    }
}

QPixmap render(RowState state, int size)
{
    QPixmap pixmap(size, size);
    pixmap.fill(Qt::transparent);
    QPainter p(&pixmap);
    p.setRenderHint(QPainter::Antialiasing);
    const QRectF r(0.5, 0.5, size - 1.0, size - 1.0);
    p.setPen(Qt::NoPen);
    p.setBrush(colourOf(state));
    if (state == RowState::Stale || state == RowState::Busy)
        p.drawRoundedRect(r, size * 0.18, size * 0.18); // squares for "look at me"
    else
        p.drawEllipse(r);
    drawGlyph(p, state, r);
    return pixmap;
}

} // namespace

QIcon stateIcon(RowState state)
{
    static QHash<int, QIcon> cache;
    const auto it = cache.constFind(int(state));
    if (it != cache.cend())
        return *it;
    QIcon icon;
    for (int size : {16, 24, 32, 48})
        icon.addPixmap(render(state, size));
    cache.insert(int(state), icon);
    return icon;
}

} // namespace lockscope
