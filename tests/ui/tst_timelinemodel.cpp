#include "timelinemodel.h"

#include <QAbstractItemModelTester>
#include <QtTest>

using namespace lockscope;

class tst_TimelineModel : public QObject
{
    Q_OBJECT

private slots:
    void keepsTheNewestWithinItsBound();
    void exportsOneLinePerEvent();
};

static TimelineEvent makeEvent(int n, TimelineEvent::Kind kind = TimelineEvent::Appeared)
{
    TimelineEvent e;
    e.timeMs = 1'700'000'000'000 + n * 1000;
    e.kind = kind;
    e.path = QStringLiteral("/tmp/chats/%1.lock").arg(n);
    e.text = QStringLiteral("event %1").arg(n);
    return e;
}

void tst_TimelineModel::keepsTheNewestWithinItsBound()
{
    TimelineModel model(5);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    for (int i = 1; i <= 12; ++i)
        model.add(makeEvent(i));
    QCOMPARE(model.rowCount(), 5);
    QCOMPARE(model.index(0, TimelineModel::WhatColumn).data().toString(),
             QStringLiteral("event 8"));
    QCOMPARE(model.index(4, TimelineModel::WhatColumn).data().toString(),
             QStringLiteral("event 12"));
    QCOMPARE(model.index(4, TimelineModel::PathColumn).data().toString(),
             QStringLiteral("/tmp/chats/12.lock"));
    model.clear();
    QCOMPARE(model.rowCount(), 0);
}

void tst_TimelineModel::exportsOneLinePerEvent()
{
    TimelineModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.add(makeEvent(1, TimelineEvent::Appeared));
    model.add(makeEvent(2, TimelineEvent::HolderExited));
    model.add(makeEvent(3, TimelineEvent::RemovedByYou));
    const QStringList lines = model.toText().split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 3);
    const QStringList fields = lines.at(1).split(QLatin1Char('\t'));
    QCOMPARE(fields.size(), 4);
    QCOMPARE(fields.at(1), QStringLiteral("holder exited"));
    QCOMPARE(fields.at(2), QStringLiteral("event 2"));
    QCOMPARE(fields.at(3), QStringLiteral("/tmp/chats/2.lock"));
    QVERIFY(QDateTime::fromString(fields.at(0), Qt::ISODateWithMs).isValid());
    QCOMPARE(model.index(2, TimelineModel::KindColumn).data().toString(),
             QStringLiteral("removed by you"));
}

QTEST_MAIN(tst_TimelineModel)
#include "tst_timelinemodel.moc"
